#!/usr/bin/env bash
# A local image registry on 127.0.0.1:5000 for the release end-to-end test
# (tests/docker/test_production_stack.py): Debian's docker-registry package (the
# reference "distribution" registry), plain HTTP, no auth, bound to loopback.
# The engine must trust it as an insecure registry; Docker trusts 127.0.0.0/8
# by default. Safe to re-run: a registry that already answers is left alone.
#
# Env overrides:
#   REGISTRY_ADDR     listen address (default 127.0.0.1:5000)
#   REGISTRY_STORAGE  where the blobs go (default /var/lib/docker-registry)
#   REGISTRY_LOG      the background registry's log
set -euo pipefail

REGISTRY_ADDR="${REGISTRY_ADDR:-127.0.0.1:5000}"
REGISTRY_STORAGE="${REGISTRY_STORAGE:-/var/lib/docker-registry}"
REGISTRY_LOG="${REGISTRY_LOG:-/var/log/docker-registry.log}"
CONFIG=/etc/docker/registry/nba-cluster-local.yml

LOG_TAG=ensure-registry
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
become_root "$@"

answers() { python3 -c "import urllib.request as u; u.urlopen('http://$REGISTRY_ADDR/v2/', timeout=3)" 2>/dev/null; }

if answers; then
  log "a registry already answers on $REGISTRY_ADDR"
  exit 0
fi
command -v docker-registry >/dev/null || apt_install docker-registry
mkdir -p "$REGISTRY_STORAGE" "$(dirname "$CONFIG")" "$(dirname "$REGISTRY_LOG")"
# The package's own config asks for htpasswd auth; this one serves loopback only, unauthenticated.
cat >"$CONFIG" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_STORAGE
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YAML
log "starting docker-registry on $REGISTRY_ADDR (log: $REGISTRY_LOG)"
# setsid: keep it alive when the caller's process group ends.
setsid docker-registry serve "$CONFIG" </dev/null >>"$REGISTRY_LOG" 2>&1 &
for _ in $(seq 1 30); do
  answers && { log "registry answers on $REGISTRY_ADDR"; exit 0; }
  sleep 1
done
tail -n 20 "$REGISTRY_LOG" >&2 || true
die "docker-registry did not answer on $REGISTRY_ADDR within 30 s"
