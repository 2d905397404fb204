#!/usr/bin/env bash
# Restore a backup made by docker/backup.sh into the production stack, then start it:
#   docker/restore.sh nba-cluster-backup-<time>.tar.gz
#
# Meant for empty volumes (a new host, or after `docker compose down -v`); on a stack with data
# it replaces the databases and the volumes' content with the archive's. The secret files
# must be in place (SECRETS_DIR): users keep the passwords they had at backup time until
# mlflow-setup sets them from the secrets again at start. The pipeline is not run.
#
# Env: COMPOSE (default "docker compose"), as for docker/backup.sh.
set -euo pipefail

LOG_TAG=restore
# shellcheck source=docker/lib.sh
source "$(dirname "$0")/lib.sh"
archive="$(realpath "${1:?usage: docker/restore.sh ARCHIVE}")"
cd "$(dirname "$0")/.."
read -r -a compose <<<"${COMPOSE:-docker compose}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$archive"
(cd "$work" && sed -n '3,$p' MANIFEST | sha256sum --quiet --check -) ||
  die "$archive is damaged: checksums differ from its MANIFEST"
log "$(head -n 2 "$work/MANIFEST" | tr '\n' ' ')"

# Nothing may write while the store is replaced.
"${compose[@]}" stop proxy dashboard kedro-viz mlflow >/dev/null 2>&1 || true
"${compose[@]}" up --detach --wait postgres

psql() { "${compose[@]}" exec -T postgres psql --username=mlflow --quiet -v ON_ERROR_STOP=1 "$@"; }
if [ -z "$(psql --dbname=mlflow -tAc "SELECT 1 FROM pg_database WHERE datname = 'mlflow_auth'")" ]; then
  psql --dbname=mlflow -c 'CREATE DATABASE mlflow_auth'
fi
for pair in mlflow:tracking.sql mlflow_auth:auth.sql; do
  log "restoring database ${pair%%:*}"
  psql --dbname="${pair%%:*}" >/dev/null <"$work/${pair#*:}"
done

restore_volume() {  # service, path, file
  log "volume at $1:$2"
  "${compose[@]}" run --rm --no-deps -T --entrypoint sh "$1" -c \
    'find "$1" -mindepth 1 -delete && tar -C "$1" -xf -' restore "$2" <"$work/$3"
}
restore_objects() {  # service, url, file
  log "objects under $2"
  "${compose[@]}" run --rm --no-deps -T "$1" python -m nba_cluster.services.bucket_archive \
    import "$2" <"$work/$3"
}
if [ -e "$work/data-objects.tar" ]; then
  # A backup of the storage overlay (docs/storage.md): restored into the buckets COMPOSE names.
  read -r data_url artifacts_url <<<"$(storage_urls "${compose[@]}")"
  [ -n "$data_url" ] ||
    die "$archive holds bucket objects: restore it with docker/compose.storage.yml in COMPOSE"
  # grep without -q: an early exit would fail the pipe under pipefail (SIGPIPE)
  if "${compose[@]}" config --services | grep -x seaweedfs >/dev/null; then
    "${compose[@]}" up --detach --wait seaweedfs
    "${compose[@]}" run --rm storage-setup >/dev/null
  fi
  restore_objects pipeline "$data_url" data-objects.tar
  restore_objects mlflow "$artifacts_url" mlflow-artifact-objects.tar
else
  restore_volume mlflow /mlflow/artifacts mlflow-artifacts.tar
  restore_volume pipeline /app/data data.tar
  restore_volume pipeline /app/.viz viz.tar
fi

log "starting the stack"
"${compose[@]}" up --detach --wait
log "restored $archive"
