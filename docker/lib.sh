# Helpers of the scripts in docker/, sourced after they set LOG_TAG; never run on its own.

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

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

# With docker/compose.storage.yml (docs/storage.md): "<data url> <artifacts url>", the pipeline's
# NBA_CLUSTER_STORAGE_URL and MLflow's --artifacts-destination; nothing without the overlay.
storage_urls() {  # compose command...
  "$@" --profile jobs config --format json | python3 -c '
import json, sys
services = json.load(sys.stdin)["services"]
data = (services["pipeline"].get("environment") or {}).get("NBA_CLUSTER_STORAGE_URL")
flag = "--artifacts-destination="
artifacts = [a[len(flag):] for a in services["mlflow"]["command"] if a.startswith(flag)]
if data and artifacts and artifacts[0].startswith("s3://"):
    print(data, artifacts[0])
'
}
