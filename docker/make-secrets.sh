#!/usr/bin/env bash
# Create the secret files of the production stack (docker-compose.yml) in SECRETS_DIR
# (default ./secrets, git-ignored). Keeps every file that already exists, so it is safe to
# re-run; delete a file and re-run to rotate that secret (docs/production.md, "Rotating").
#
#   docker/make-secrets.sh                   # then: docker compose up -d
#   PROXY_USER=alice docker/make-secrets.sh  # the login in front of the dashboard and Kedro-Viz
#
# TLS: put a certificate chain and its key (PEM) in tls_certificate and tls_private_key to use
# them; otherwise a self-signed certificate is made for PUBLIC_HOST and *.PUBLIC_HOST
# (PUBLIC_HOST from the environment, else from ./.env, else localhost).
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
tls_given=0
for name in tls_certificate tls_private_key; do
  [ -s "$SECRETS_DIR/$name" ] && tls_given=$((tls_given + 1))
done
if [ "$tls_given" = 1 ]; then
  echo "make-secrets: give both tls_certificate and tls_private_key, or neither" >&2
  exit 1
fi
if [ "$tls_given" = 0 ]; then
  if [ -z "${PUBLIC_HOST:-}" ] && [ -f .env ]; then
    PUBLIC_HOST="$(sed -n 's/^PUBLIC_HOST=//p' .env | tail -n 1 | tr -d "\"'")"
  fi
  PUBLIC_HOST="${PUBLIC_HOST:-localhost}"
  if [[ "$PUBLIC_HOST" =~ ^[0-9.]+$|: ]]; then
    alt_names="IP:$PUBLIC_HOST"
  else
    alt_names="DNS:$PUBLIC_HOST,DNS:*.$PUBLIC_HOST"
  fi
  # 825 days: the longest validity Apple platforms accept for a server certificate.
  if ! made="$(openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 825 -subj "/CN=$PUBLIC_HOST" -addext "subjectAltName=$alt_names" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -keyout "$SECRETS_DIR/tls_private_key" -out "$SECRETS_DIR/tls_certificate" 2>&1)"; then
    echo "make-secrets: no self-signed certificate for $PUBLIC_HOST: $made" >&2
    exit 1
  fi
  created+=("tls_certificate (self-signed for $PUBLIC_HOST)" tls_private_key)
fi
chmod 0644 "$SECRETS_DIR"/*

if [ "${#created[@]}" -eq 0 ]; then
  echo "make-secrets: every secret already exists in $SECRETS_DIR"
else
  echo "make-secrets: created in $SECRETS_DIR: ${created[*]}"
fi
