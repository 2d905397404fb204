# Helpers of .ci/'s machine provisioning, sourced after they set LOG_TAG; never run on its own.
# shellcheck source=docker/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../docker/lib.sh"

# apt, dockerd, debootstrap and chroot need root: re-run the calling script under sudo.
become_root() {
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "must run as root (no sudo available)"
    exec sudo -E "$0" "$@"
  fi
}

# apt-get update once per script run, on the first install.
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
