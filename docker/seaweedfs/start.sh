#!/bin/sh
# The store. Its admin identity comes from the environment weed reads (AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY), the secret from its file; the clients' identities are setup.sh's.
# -ip: the name other containers reach it by (setup.sh's `weed shell` follows the master's
# answer to the filer there).
set -eu
AWS_SECRET_ACCESS_KEY="$(cat "${AWS_SECRET_ACCESS_KEY_FILE:?}")"
export AWS_SECRET_ACCESS_KEY
exec weed mini -dir=/data -ip="${SEAWEEDFS_HOST:-seaweedfs}" -ip.bind=0.0.0.0 -admin.ui=false \
  -webdav=false -s3.port.iceberg=0 -s3.port.lance=0
