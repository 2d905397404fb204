# Logging of the operations scripts in docker/ (and .ci/'s), sourced after they set LOG_TAG;
# never run on its own.

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
