#!/bin/sh
# One-shot before the store's clients start, idempotent: the buckets, then one identity per
# client, each limited to what it does (a changed secret file is a key rotation):
#   pipeline   data bucket, read and write (pipeline and scheduler)
#   dashboard  data bucket, read only
#   mlflow     artifact bucket, read and write (the only holder of keys to MLflow's artifacts)
# Buckets: STORAGE_BUCKET (Kedro's datasets), MLFLOW_ARTIFACT_BUCKET; secrets in
# /run/secrets/storage_<identity>_secret.
set -eu
master="${SEAWEEDFS_HOST:-seaweedfs}:9333"
shell() { printf '%s\n' "$@" | weed shell -master="$master"; }
secret() { cat "/run/secrets/storage_$1_secret"; }

existing="$(shell s3.bucket.list)"
for bucket in "${STORAGE_BUCKET:?}" "${MLFLOW_ARTIFACT_BUCKET:?}"; do
  if printf '%s\n' "$existing" | grep -q "^[[:space:]]*$bucket[[:space:]]"; then
    echo "setup: bucket $bucket exists"
  else
    shell "s3.bucket.create -name $bucket" && echo "setup: created bucket $bucket"
  fi
done
identity() {  # user, bucket, actions
  shell "s3.configure -user=$1 -access_key=$1 -secret_key=$(secret "$1") -actions=$3 -buckets=$2 -apply" \
    >/dev/null
  echo "setup: identity $1: $3 on $2"
}
identity pipeline "$STORAGE_BUCKET" Read,Write,List,Tagging
identity dashboard "$STORAGE_BUCKET" Read,List
identity mlflow "$MLFLOW_ARTIFACT_BUCKET" Read,Write,List,Tagging
