#!/bin/sh
# Creates what docker-compose.yml needs and must never be committed, in the repository root:
#
#   .env            POSTGRES_PASSWORD and GRAFANA_ADMIN_PASSWORD (random, unless .env sets them),
#                   TIERSCOPE_READ_TOKEN (Grafana's Tierscope data source and Prometheus's scrape:
#                   read, every tenant) and TIERSCOPE_INGEST_TOKEN (the simulator: ingest, tenant
#                   "default");
#   secrets/tokens  the token file the ingest, the aggregator and the api read: one line per token
#                   with the SHA-256 of its secret, never the secret (docs/security.md).
#
#   sh docker/init-secrets.sh            # then: docker compose up --build
#
# A variable that .env already sets is kept; a token is created only when .env has none, and its
# line is appended to secrets/tokens. Secrets are made the way `token create` makes them: "tsk_" and
# 32 random bytes in unpadded base64url, stored as "sha256:" and the hex SHA-256 of the secret.
# Needs only a POSIX shell, /dev/urandom, base64 and sha256sum (or shasum).
set -eu
cd "$(dirname "$0")/.."
umask 077

random_base64url() {
  head -c 32 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'
}

sha256_hex() {
  if command -v sha256sum >/dev/null 2>&1; then
    printf %s "$1" | sha256sum | cut -d' ' -f1
  else
    printf %s "$1" | shasum -a 256 | cut -d' ' -f1
  fi
}

# The value .env gives a variable, empty when it gives none.
current() {
  [ -f .env ] || return 0
  sed -n "s/^$1=//p" .env | tail -n 1
}

set_variable() {
  if [ -z "$(current "$1")" ]; then
    # drop an empty assignment (as .env.example has them), then add the value
    if [ -f .env ]; then
      grep -v "^$1=\$" .env > .env.tmp || true
      mv .env.tmp .env
    fi
    printf '%s=%s\n' "$1" "$2" >> .env
    echo "set $1 in .env"
  fi
}

# create_token VARIABLE NAME TENANTS SCOPES
create_token() {
  if [ -n "$(current "$1")" ]; then
    return 0
  fi
  if [ -f secrets/tokens ] && grep -q "^$2 " secrets/tokens; then
    echo "secrets/tokens already has a token named $2 but .env has no $1;" \
      "remove its line (or set $1) and run again" >&2
    exit 1
  fi
  secret="tsk_$(random_base64url)"
  printf '%s sha256:%s tenants=%s scopes=%s\n' "$2" "$(sha256_hex "$secret")" "$3" "$4" \
    >> secrets/tokens
  set_variable "$1" "$secret"
  echo "added token $2 (tenants=$3 scopes=$4) to secrets/tokens"
}

mkdir -p secrets
[ -f .env ] || : > .env
[ -f secrets/tokens ] || printf '# Tierscope token file (docs/security.md): name sha256:<hex> tenants=... scopes=...\n' > secrets/tokens

set_variable POSTGRES_PASSWORD "$(random_base64url)"
set_variable GRAFANA_ADMIN_PASSWORD "$(random_base64url)"
create_token TIERSCOPE_READ_TOKEN grafana '*' read
create_token TIERSCOPE_INGEST_TOKEN simulator default ingest

# The containers run as other users than this shell: they must be able to read the token file.
chmod 755 secrets
chmod 644 secrets/tokens
echo "done: .env and secrets/tokens are ready (keep both out of version control)"
