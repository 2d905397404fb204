#!/usr/bin/env bash
# Provide the base images on machines that cannot reach an image registry: the
# Dockerfile's Python base, and the postgres and nginx images of the production
# stack (docker-compose.yml). When one is neither present locally nor pullable,
# build a local stand-in from the Debian apt mirror, which is reachable, tagged
# with the official name so the compose files stay standard. An image that
# exists or can be pulled is left alone. (uv needs no image: the build takes the
# pinned release from PyPI, see the Dockerfile.)
#
# Env overrides:
#   PYTHON_IMAGE   tag of the Python base (Debian bookworm + its python3)
#   POSTGRES_IMAGE tag of the postgres stand-in (Debian's postgresql-15)
#   NGINX_IMAGE    tag of the nginx stand-in (Debian's nginx)
#   PULL_TIMEOUT   seconds to give `docker pull` before building instead
#   DEBIAN_MIRROR  apt mirror for debootstrap (default: the host's own)
#   FORCE=1        rebuild the stand-in even if the tag already exists
set -euo pipefail

PYTHON_IMAGE="${PYTHON_IMAGE:-python:3.11-slim-bookworm}"
POSTGRES_IMAGE="${POSTGRES_IMAGE:-postgres:15-bookworm}"
NGINX_IMAGE="${NGINX_IMAGE:-nginx:stable-bookworm}"
PULL_TIMEOUT="${PULL_TIMEOUT:-20}"
FORCE="${FORCE:-0}"
SUITE="bookworm"        # python3 in bookworm is 3.11, matching the tag
PY="python3.11"

LOG_TAG=bootstrap-base-images
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# debootstrap, chroot and apt need root.
become_root "$@"
timeout 15 docker info >/dev/null 2>&1 || die "docker engine not reachable; run .ci/ensure-engine.sh first"

# Under /var/tmp, not /tmp: the rootfs needs device nodes and exec, which a
# tmpfs /tmp mounted nodev/noexec would refuse.
WORK="$(mktemp -d /var/tmp/bootstrap-base-images.XXXXXX)"

unmount_under() {
  # debootstrap bind-mounts /proc, /sys (and /dev inside containers); never
  # delete through a mount that is still live.
  local m
  awk -v p="$1" 'index($2 "/", p "/") == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" || true; done
}
cleanup() {
  unmount_under "$WORK"
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

STANDINS="$(dirname "${BASH_SOURCE[0]}")/standins"
DIGEST_LABEL=org.nba-cluster.standin-digest

# A package stand-in's definition: its Dockerfile and the files it copies in.
standin_digest() {
  cat "$STANDINS/$1.Dockerfile" "$STANDINS/$1"-*.sh | sha256sum | cut -c1-16
}

# Returns 0 when a stand-in must be built: the image is neither present nor pullable, or it is
# a package stand-in of an older definition (an official image is always kept).
needs_standin() {  # image [package stand-in name]
  local image="$1" name="${2:-}" labels
  if [ "$FORCE" != 1 ] && docker image inspect "$image" >/dev/null 2>&1; then
    labels="$(docker image inspect --format '{{ json .Config.Labels }}' "$image")"
    if [ -z "$name" ] || [[ "$labels" != *"local stand-in for"* ]] ||
      [[ "$labels" == *"\"$DIGEST_LABEL\":\"$(standin_digest "$name")\""* ]]; then
      log "$image: present locally"
      return 1
    fi
    log "$image: a stand-in of an older definition; rebuilding"
    return 0
  fi
  if [ "$FORCE" != 1 ] && timeout "$PULL_TIMEOUT" docker pull -q "$image" >/dev/null 2>&1; then
    log "$image: pulled"
    return 1
  fi
  log "$image: not available from a registry; building a local stand-in"
}

# First URI the host's apt uses for a suite: only the host's mirror is known
# to be reachable. Understands one-line .list and deb822 .sources files.
apt_uri_for() {
  local suite="$1" f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '$1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '
      function flush() { if (deb && on && uri != "" && has && !done) { print uri; done = 1; exit } deb = has = 0; on = 1; uri = "" }
      BEGIN { on = 1 }
      /^[ \t]*$/ { flush(); next }
      /^Types:/   { deb = ($0 ~ /[ \t]deb([ \t]|$)/) }
      /^Enabled:/ { on = ($2 != "no") }
      /^URIs:/    { uri = $2 }
      /^Suites:/  { for (i = 2; i <= NF; i++) if ($i == s) has = 1 }
      END { flush() }' "$f"
  done
}

build_python_standin() {
  local mirror security rootfs version
  mirror="${DEBIAN_MIRROR:-$(apt_uri_for "$SUITE" | head -n 1)}"
  [ -n "$mirror" ] || die "cannot find a Debian mirror for $SUITE in /etc/apt; set DEBIAN_MIRROR"
  security="$(apt_uri_for "$SUITE-security" | head -n 1)"
  command -v debootstrap >/dev/null || apt_install debootstrap
  rootfs="$WORK/rootfs"

  log "debootstrap $SUITE from $mirror"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$SUITE" "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  unmount_under "$rootfs"

  # Same interpreter paths as the official image, whose python lives in /usr/local.
  local name
  for name in python3 python "$PY"; do
    ln -sf "/usr/bin/$PY" "$rootfs/usr/local/bin/$name"
  done
  # The official image's python is not distro-managed, so pip/uv may install
  # into it; keep that behaviour.
  rm -f "$rootfs/usr/lib/$PY/EXTERNALLY-MANAGED"
  # The host bundle carries the CA of any TLS-intercepting proxy; also keep it
  # as a local CA so a later update-ca-certificates in a build does not drop it.
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/local/share/ca-certificates/host-bundle.crt"

  # Derived images run apt-get update first anyway; point apt at the same
  # suites the official image uses, through the mirror that works here.
  rm -f "$rootfs/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" "$SUITE" "$SUITE"
    if [ -n "$security" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$security" "$SUITE"
    fi
  } >"$rootfs/etc/apt/sources.list.d/debian.sources"

  version="$(chroot "$rootfs" "/usr/bin/$PY" -c 'import platform; print(platform.python_version())')"

  # Size: nothing below is needed at runtime; docker supplies /dev, hostname, resolv.conf.
  (
    cd "$rootfs"
    rm -rf var/lib/apt/lists/* var/cache/apt/* var/cache/debconf/*-old var/log/* \
      usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/* \
      usr/share/lintian dev/* tmp/* root/.cache
    : >etc/resolv.conf
    : >etc/hostname
  )

  tar -C "$rootfs" --numeric-owner -c . |
    docker import \
      --message "local stand-in for $PYTHON_IMAGE (Debian $SUITE python3 $version)" \
      --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      --change "ENV PYTHON_VERSION=$version" \
      --change 'CMD ["python3"]' \
      - "$PYTHON_IMAGE" >/dev/null
  rm -rf --one-file-system "$rootfs"
}

# The service stand-ins: Debian packages installed on top of the Python stand-in (a Debian
# bookworm minbase whose apt already points at the reachable mirror), see .ci/standins/.
build_package_standin() {
  local image="$1" name="$2"
  docker build --quiet --build-arg "BASE_IMAGE=$PYTHON_IMAGE" \
    --label "org.opencontainers.image.description=local stand-in for $image (Debian packages)" \
    --label "$DIGEST_LABEL=$(standin_digest "$name")" \
    -f "$STANDINS/$name.Dockerfile" -t "$image" "$STANDINS" >/dev/null
}

if needs_standin "$PYTHON_IMAGE"; then build_python_standin; fi
if needs_standin "$POSTGRES_IMAGE" postgres; then build_package_standin "$POSTGRES_IMAGE" postgres; fi
if needs_standin "$NGINX_IMAGE" nginx; then build_package_standin "$NGINX_IMAGE" nginx; fi

for image in "$PYTHON_IMAGE" "$POSTGRES_IMAGE" "$NGINX_IMAGE"; do
  docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.ID}}\t{{.Size}}' "$image"
done
