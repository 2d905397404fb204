#!/usr/bin/env bash
# Back up the production stack (docker-compose.yml) into one dated archive, while it runs:
#   docker/backup.sh [DEST_DIR]        -> DEST_DIR/nba-cluster-backup-<UTC time>.tar.gz
#
# Holds: tracking.sql and auth.sql (pg_dump of MLflow's two Postgres databases: runs, registry
# and aliases; users and permissions, passwords only as MLflow's salted hashes), and tar files
# of the mlflow-artifacts (models), data (pipeline outputs the dashboard shows) and viz
# volumes, plus MANIFEST (image, time, checksums). With docker/compose.storage.yml in COMPOSE,
# the objects of the data prefix and of MLflow's artifact prefix instead of the volumes
# (data-objects.tar, mlflow-artifact-objects.tar; docs/storage.md), each read by the service
# that holds that bucket's keys. No secret file is read or written: restore
# it with the same secrets (they live in SECRETS_DIR; back that folder up separately and
# encrypted). pg_dump reads a consistent snapshot of each database; the artifacts are
# written once per run, so copying them while the stack runs is safe.
#
# Env: COMPOSE (default "docker compose"; e.g. "docker compose -p name --env-file f") selects
# the stack, like every docker compose command run from this folder.
set -euo pipefail
cd "$(dirname "$0")/.."

LOG_TAG=backup
# shellcheck source=docker/lib.sh
source docker/lib.sh
read -r -a compose <<<"${COMPOSE:-docker compose}"

dest="${1:-.}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
archive="$dest/nba-cluster-backup-$stamp.tar.gz"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
umask 0077  # the archive holds the whole MLflow store: readable by its owner only

# grep without -q: an early exit would fail the pipe under pipefail (SIGPIPE)
"${compose[@]}" ps --status running --services | grep -x postgres >/dev/null ||
  die "postgres is not running: start the stack first (docker compose up -d postgres)"

dump() {  # database, file
  log "pg_dump $1"
  "${compose[@]}" exec -T postgres pg_dump --username=mlflow --dbname="$1" \
    --clean --if-exists --no-owner --no-privileges >"$work/$2"
}
dump mlflow tracking.sql
dump mlflow_auth auth.sql

# A throwaway container of the service that mounts the volume, whether or not the stack runs.
save_volume() {  # service, path, file
  log "volume at $1:$2"
  # POSIX (pax) format: mtimes to the nanosecond; the dashboard dates its data by them.
  "${compose[@]}" run --rm --no-deps -T --entrypoint tar "$1" --format=posix -C "$2" -cf - . \
    >"$work/$3"
}
# The objects under a prefix, exported by a throwaway container of the service holding its keys.
save_objects() {  # service, url, file
  log "objects under $2"
  "${compose[@]}" run --rm --no-deps -T "$1" python -m nba_cluster.services.bucket_archive \
    export "$2" >"$work/$3"
}
read -r data_url artifacts_url <<<"$(storage_urls "${compose[@]}")"
if [ -n "$data_url" ]; then
  saved=(data-objects.tar mlflow-artifact-objects.tar)
  save_objects pipeline "$data_url" data-objects.tar
  save_objects mlflow "$artifacts_url" mlflow-artifact-objects.tar
else
  saved=(mlflow-artifacts.tar data.tar viz.tar)
  save_volume mlflow /mlflow/artifacts mlflow-artifacts.tar
  save_volume pipeline /app/data data.tar
  save_volume pipeline /app/.viz viz.tar
fi

image="$("${compose[@]}" config --images | grep '/nba-cluster:' | head -n 1)"
{
  echo "nba-cluster backup $stamp"
  echo "image $image"
  (cd "$work" && sha256sum tracking.sql auth.sql "${saved[@]}")
} >"$work/MANIFEST"

mkdir -p "$dest"
tar -C "$work" -czf "$archive.partial" MANIFEST tracking.sql auth.sql "${saved[@]}"
mv "$archive.partial" "$archive"
log "wrote $archive ($(du -h "$archive" | cut -f1))"
echo "$archive"
