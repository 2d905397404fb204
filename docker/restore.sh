#!/usr/bin/env bash
# Restore a backup made by docker/backup.sh into the production stack, then start it:
#   docker/restore.sh nba-cluster-backup-<time>.tar.gz
#
# Works on empty volumes (a new host, or after `docker compose down -v`) and on a stack with
# data, whose databases and volumes it replaces with the archive's; with
# docker/compose.storage.yml in COMPOSE, the bucket objects instead of the volumes. It cannot make things
# worse: everything is checked and loaded beside the live store first, and only swapped in
# once complete.
#   1. check: the MANIFEST checksums, each dump ends with pg_dump's completion footer (a cut
#      dump does not), each volume tar lists completely. Nothing is stopped yet.
#   2. load: each dump into a fresh database (<name>_restoring) in one transaction that stops
#      at the first error; each volume tar into a folder beside the live content. The stack
#      keeps serving meanwhile.
#   3. swap: stop the servers, rename the databases and move the folders (cheap, all-or-
#      nothing per step, undone on failure), start the stack.
# On any failure the previous store is left (or put back) in place and serving, the staging
# leftovers are removed, and the message names the archive and what failed.
#
# The secret files must be in place (SECRETS_DIR): users keep the passwords they had at backup
# time until mlflow-setup sets them from the secrets again at start. The pipeline is not run.
#
# Env: COMPOSE (default "docker compose"), as for docker/backup.sh.
set -euo pipefail

LOG_TAG=restore
# shellcheck source=docker/lib.sh
source "$(dirname "$0")/lib.sh"
archive="$(realpath "${1:?usage: docker/restore.sh ARCHIVE}")"
cd "$(dirname "$0")/.."
read -r -a compose <<<"${COMPOSE:-docker compose}"

DATABASES=(mlflow:tracking.sql mlflow_auth:auth.sql)
VOLUMES=(mlflow:/mlflow/artifacts:mlflow-artifacts.tar pipeline:/app/data:data.tar pipeline:/app/.viz:viz.tar)
OBJECTS=()  # service|url|file, instead of the volumes with docker/compose.storage.yml
# Everything that reads or writes the store; Postgres itself keeps running.
WRITERS=(proxy dashboard kedro-viz scheduler mlflow)
STAGING=.restoring PREVIOUS=.before-restore
PG_DUMP_FOOTER='-- PostgreSQL database dump complete'

work="$(mktemp -d)"
stage=checking
swapped=()  # what has been swapped in so far, undone in reverse on failure

fail() { die "restore of $archive failed while $stage: $*"; }

psql() { "${compose[@]}" exec -T -e PGOPTIONS="-c client_min_messages=warning" postgres psql --username=mlflow --quiet -v ON_ERROR_STOP=1 "$@"; }
sql() { psql --dbname=postgres -tAc "$1"; }
database_exists() { [ -n "$(sql "SELECT 1 FROM pg_database WHERE datname = '$1'")" ]; }
drop_database() { sql "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null; }
rename_database() { sql "ALTER DATABASE \"$1\" RENAME TO \"$2\"" >/dev/null; }

bucket_archive() {  # service, export|import, url: a throwaway container of the service, which
  # holds that bucket's keys
  "${compose[@]}" run --rm --no-deps -T "$1" python -m nba_cluster.services.bucket_archive "$2" "$3"
}

in_volume() {  # service, path, script, args...: a throwaway container of the service
  local service="$1" path="$2" script="$3"
  shift 3
  "${compose[@]}" run --rm --no-deps -T --entrypoint sh "$service" -c "cd \"\$1\" && shift && $script" \
    restore "$path" "$@"
}

undo() {
  local entry kind name path service
  for ((i = ${#swapped[@]} - 1; i >= 0; i--)); do
    entry="${swapped[$i]}"
    IFS=: read -r kind name path service <<<"$entry"
    if [ "$kind" = database ]; then
      log "putting database $name back"
      drop_database "$name" && rename_database "${name}_before_restore" "$name"
    elif [ "$kind" = objects ]; then
      IFS=: read -r _ service file url <<<"$entry"
      log "putting the objects under $url back"
      bucket_archive "$service" import "$url" <"$work/previous-$file"
    else
      log "putting volume content at $service:$path back"
      in_volume "$service" "$path" \
        'find . -mindepth 1 -maxdepth 1 ! -name "$1" -exec rm -rf {} + && find "$1" -mindepth 1 -maxdepth 1 -exec mv {} . \; && rmdir "$1"' \
        "$PREVIOUS"
    fi
  done
}

cleanup() {
  local status=$?
  trap - EXIT
  if [ "$status" -ne 0 ] && [ "$stage" != checking ]; then
    if [ "${#swapped[@]}" -gt 0 ]; then
      "${compose[@]}" stop "${WRITERS[@]}" >/dev/null 2>&1 || true
      undo || log "ERROR: could not put everything back; the previous content is in *_before_restore databases and $PREVIOUS folders"
    fi
    for pair in "${DATABASES[@]}"; do drop_database "${pair%%:*}_restoring" 2>/dev/null || true; done
    for triple in "${VOLUMES[@]}"; do
      IFS=: read -r service path _ <<<"$triple"
      in_volume "$service" "$path" 'rm -rf "$1"' "$STAGING" >/dev/null 2>&1 || true
    done
    if [ "$stage" = swapping ]; then
      log "starting the previous store again"
      "${compose[@]}" up --detach --wait >/dev/null 2>&1 || log "ERROR: the stack did not start again"
    fi
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# -- 1. check ----------------------------------------------------------------------------------
tar -C "$work" -xzf "$archive" || fail "it is not a readable .tar.gz"
[ -f "$work/MANIFEST" ] || fail "it has no MANIFEST"
(cd "$work" && sed -n '3,$p' MANIFEST | sha256sum --quiet --check -) ||
  fail "checksums differ from its MANIFEST (damaged)"
log "$(head -n 2 "$work/MANIFEST" | tr '\n' ' ')"
if [ -e "$work/data-objects.tar" ]; then
  # A backup of the storage overlay (docs/storage.md): restored into the buckets COMPOSE names.
  read -r data_url artifacts_url <<<"$(storage_urls "${compose[@]}")"
  [ -n "$data_url" ] || fail "it holds bucket objects: restore it with docker/compose.storage.yml in COMPOSE"
  VOLUMES=()
  OBJECTS=("pipeline|$data_url|data-objects.tar" "mlflow|$artifacts_url|mlflow-artifact-objects.tar")
fi
for pair in "${DATABASES[@]}"; do
  tail -n 5 "$work/${pair#*:}" | grep -qxF -e "$PG_DUMP_FOOTER" ||
    fail "${pair#*:} is cut short (no pg_dump completion footer)"
done
for file in "${VOLUMES[@]##*:}" "${OBJECTS[@]##*|}"; do
  tar -tf "$work/$file" >/dev/null || fail "$file is not a complete tar file"
done

# -- 2. load beside the live store -------------------------------------------------------------
stage="loading"
"${compose[@]}" up --detach --wait postgres >/dev/null 2>&1 || fail "postgres did not start"
# grep without -q: an early exit would fail the pipe under pipefail (SIGPIPE)
if [ "${#OBJECTS[@]}" -gt 0 ] && "${compose[@]}" config --services | grep -x seaweedfs >/dev/null; then
  "${compose[@]}" up --detach --wait seaweedfs >/dev/null 2>&1 || fail "seaweedfs did not start"
  "${compose[@]}" run --rm storage-setup >/dev/null || fail "the buckets could not be set up"
fi
for pair in "${DATABASES[@]}"; do
  name="${pair%%:*}" dump="${pair#*:}"
  log "loading $dump into a fresh database ${name}_restoring"
  drop_database "${name}_restoring"
  sql "CREATE DATABASE \"${name}_restoring\"" >/dev/null
  psql --dbname="${name}_restoring" --single-transaction >/dev/null <"$work/$dump" 2>"$work/psql.err" ||
    fail "$dump does not load: $(grep -m 1 ERROR "$work/psql.err" || tail -n 1 "$work/psql.err")"
done
for triple in "${VOLUMES[@]}"; do
  IFS=: read -r service path file <<<"$triple"
  log "unpacking $file beside the content at $service:$path"
  in_volume "$service" "$path" 'rm -rf "$1" && mkdir "$1" && tar -C "$1" -xf -' "$STAGING" \
    <"$work/$file" || fail "$file does not unpack into $service:$path"
done

# -- 3. swap -----------------------------------------------------------------------------------
stage=swapping
log "stopping ${WRITERS[*]}"
"${compose[@]}" stop "${WRITERS[@]}" >/dev/null 2>&1 || fail "the servers did not stop"
# A bucket has no rename: its objects are saved for the undo, then replaced as a whole.
for entry in "${OBJECTS[@]}"; do
  IFS='|' read -r service url file <<<"$entry"
  bucket_archive "$service" export "$url" >"$work/previous-$file" ||
    fail "the objects under $url could not be saved first"
  swapped+=("objects:$service:$file:$url")
  log "replacing the objects under $url with $file"
  bucket_archive "$service" import "$url" <"$work/$file" || fail "$file does not load into $url"
done
for pair in "${DATABASES[@]}"; do
  name="${pair%%:*}"
  drop_database "${name}_before_restore"
  database_exists "$name" || sql "CREATE DATABASE \"$name\"" >/dev/null
  rename_database "$name" "${name}_before_restore" || fail "database $name is in use"
  rename_database "${name}_restoring" "$name" || {
    rename_database "${name}_before_restore" "$name"
    fail "database ${name}_restoring could not take the name $name"
  }
  swapped+=("database:$name")
done
for triple in "${VOLUMES[@]}"; do
  IFS=: read -r service path _ <<<"$triple"
  in_volume "$service" "$path" \
    'rm -rf "$2" && mkdir "$2" && find . -mindepth 1 -maxdepth 1 ! -name "$1" ! -name "$2" -exec mv {} "$2"/ \; && find "$1" -mindepth 1 -maxdepth 1 -exec mv {} . \; && rmdir "$1"' \
    "$STAGING" "$PREVIOUS" || fail "the content at $service:$path could not be swapped"
  swapped+=("volume::$path:$service")
done

log "starting the stack"
"${compose[@]}" up --detach --wait || fail "the restored stack did not become healthy"
swapped=()
for pair in "${DATABASES[@]}"; do drop_database "${pair%%:*}_before_restore"; done
for triple in "${VOLUMES[@]}"; do
  IFS=: read -r service path _ <<<"$triple"
  in_volume "$service" "$path" 'rm -rf "$1"' "$PREVIOUS"
done
log "restored $archive"
