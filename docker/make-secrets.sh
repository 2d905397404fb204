#!/usr/bin/env bash
# Create the secret files of the production stack (docker-compose.yml) in SECRETS_DIR
# (default ./secrets, git-ignored). Keeps every file that already exists, so it is safe to
# re-run; delete a file and re-run to rotate that secret (docs/production.md, "Rotating").
#
#   docker/make-secrets.sh                   # then: docker compose up -d
#   PROXY_USER=alice docker/make-secrets.sh  # the login in front of the dashboard and Kedro-Viz
#
# The folder is 0700 (only its owner on the host gets in); the files are 0644 because the
# containers read them under their own unprivileged uids (postgres 999, app 1000, nginx 101)
# through compose's bind mounts, which do not traverse the folder.
# Passwords are printed once, to the terminal, never to a log; proxy_password keeps the proxy
# login's clear password for its owner (the proxy itself only gets the bcrypt hash).
set -euo pipefail

SECRETS_DIR="${SECRETS_DIR:-./secrets}"
PROXY_USER="${PROXY_USER:-nba}"

command -v openssl >/dev/null || { echo "make-secrets: needs openssl" >&2; exit 1; }
mkdir -p "$SECRETS_DIR"
chmod 0700 "$SECRETS_DIR"
umask 0022

created=()
new_secret() {  # name, generator...
  local name="$1"
  shift
  [ -e "$SECRETS_DIR/$name" ] && return
  "$@" >"$SECRETS_DIR/$name"
  created+=("$name")
}
random_password() { openssl rand -hex 24; }

new_secret postgres_password random_password
new_secret mlflow_admin_password random_password
new_secret mlflow_flask_secret_key openssl rand -hex 32
new_secret mlflow_writer_password random_password
new_secret mlflow_reader_password random_password
new_secret model_signing_key openssl rand -hex 32
new_secret proxy_password random_password
# The object store's keys (docker/compose.storage.yml): its admin, and one per client.
for identity in admin pipeline dashboard mlflow; do
  new_secret "storage_${identity}_secret" random_password
done
if [ ! -e "$SECRETS_DIR/proxy_htpasswd" ]; then
  # apr1 (Apache MD5): every nginx build verifies it; bcrypt would depend on the C library.
  printf '%s:%s\n' "$PROXY_USER" "$(openssl passwd -apr1 -stdin <"$SECRETS_DIR/proxy_password")" \
    >"$SECRETS_DIR/proxy_htpasswd"
  created+=(proxy_htpasswd)
fi
# Empty: the proxy makes a self-signed certificate. Put a real certificate chain and its key
# here (PEM) to use them instead.
[ -e "$SECRETS_DIR/tls_certificate" ] || { : >"$SECRETS_DIR/tls_certificate"; created+=(tls_certificate); }
[ -e "$SECRETS_DIR/tls_private_key" ] || { : >"$SECRETS_DIR/tls_private_key"; created+=(tls_private_key); }
chmod 0644 "$SECRETS_DIR"/*

if [ "${#created[@]}" -eq 0 ]; then
  echo "make-secrets: every secret already exists in $SECRETS_DIR"
else
  echo "make-secrets: created in $SECRETS_DIR: ${created[*]}"
fi
