# Logging of the operations scripts in docker/ (and .ci/'s), sourced after they set LOG_TAG;
# never run on its own.

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

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
