#!/usr/bin/env bash
# CI's container check: builds the hub's image with podman (local stand-ins for the base images,
# --pull=never), starts compose.yaml (hub + PostgreSQL) with podman-compose, and checks through
# the published port: /healthz 200 and the image's HEALTHCHECK, a school registered, a signed
# delivery accepted and forwarded to a receiver on the host, a restart of the hub container with
# deliveries queued and nothing lost (each Webhook-Id once), then `down` leaving no container.
# Prints how long it took and the image's size.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
step() { echo "container check: $* ($(($(date +%s) - started)) s)"; }

if ! command -v podman >/dev/null || ! command -v podman-compose >/dev/null || ! command -v debootstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc podman-compose debootstrap >/dev/null
fi
work=$(mktemp -d /tmp/lw-hub-container-XXXXXX)
project=lwhubcheck
# Root here cannot raise limits: podman must not ask for more than the machine allows.
export CONTAINERS_CONF=$work/containers.conf
cat >"$CONTAINERS_CONF" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
CONF

receiver_pid=
cleanup() {
  (cd "$work" && podman-compose -p "$project" down -v >/dev/null 2>&1) || true
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
  podman image prune -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

scripts/container/base-images.sh "$work"
step "base images ready"
podman build --pull=never --format docker --quiet -t learnworlds-zapier-hub:check . >/dev/null
size=$(podman image inspect learnworlds-zapier-hub:check --format '{{.Size}}')
step "image built: $((size / 1000000)) MB"

# The receiver on the host, reached from the containers as host.containers.internal.
node scripts/container/receiver.js >"$work/receiver.port" &
receiver_pid=$!
for _ in $(seq 1 50); do [ -s "$work/receiver.port" ] && break; sleep 0.1; done
rport=$(cat "$work/receiver.port")
hub_port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
api_key=$(openssl rand -hex 20)
secret=$(openssl rand -hex 23)
cp compose.yaml "$work/compose.yaml"
{
  sed -e "s/^POSTGRES_PASSWORD=.*/POSTGRES_PASSWORD=$(openssl rand -hex 16)/" -e "s/^HUB_API_KEYS=.*/HUB_API_KEYS=$api_key/" \
    -e "s/^HUB_SECRET_KEY=.*/HUB_SECRET_KEY=$(openssl rand -hex 32)/" -e "s/^HUB_METRICS_TOKEN=.*/HUB_METRICS_TOKEN=$(openssl rand -hex 20)/" \
    -e "s#^HUB_ALLOWED_TARGETS=.*#HUB_ALLOWED_TARGETS=http://host.containers.internal:$rport#" .env.example
  echo "HUB_IMAGE=learnworlds-zapier-hub:check"
  echo "HUB_PORT=$hub_port"
  echo "HUB_RETRY_BASE_MS=300"
  echo "HUB_RETRY_MAX_MS=1000"
  echo "HUB_RETRY_MAX_ATTEMPTS=100"
} >"$work/.env"
hub=http://127.0.0.1:$hub_port
(cd "$work" && podman-compose -p "$project" up -d >"$work/up.log" 2>&1) || { cat "$work/up.log"; exit 1; }

wait_for() { # WHAT SECONDS COMMAND...
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq 1 $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "container check: timed out waiting for $what" >&2
  podman logs "${project}_hub_1" 2>&1 | tail -n 30 >&2 || true
  return 1
}
wait_for "/healthz" 120 curl -fsS "$hub/healthz"
curl -fsS "$hub/healthz" | grep -q '"database":"postgres"'
podman healthcheck run "${project}_hub_1" >/dev/null
step "hub healthy on PostgreSQL (/healthz 200, HEALTHCHECK passes)"

json() { curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $api_key" "$@"; }
school='"school_url":"myschool.learnworlds.com","webhook_secret":"'"$secret"'"'
json -X PUT "$hub/v1/schools" -d "{$school}" | grep -q inbound_path
json -X POST "$hub/v1/subscriptions" -d "{$school,\"event\":\"*\",\"target_url\":\"http://host.containers.internal:$rport/zap\"}" | grep -q '"id"'
deliver() { curl -fsS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H "Learnworlds-Webhook-Signature: v1=$secret" \
  -d "{\"version\":2,\"type\":\"courseCompleted\",\"data\":{\"n\":$1,\"user\":{\"id\":\"u$1\"}}}" "$hub/v1/learnworlds/webhooks"; }
[ "$(deliver 0)" = 202 ]
received() { curl -fsS "http://127.0.0.1:$rport/control/received"; }
wait_for "the first delivery" 60 sh -c "curl -fsS http://127.0.0.1:$rport/control/received | grep -q '\"'"
step "school registered, a signed delivery accepted (202) and forwarded"

# Deliveries queued while the Zap refuses, the hub container restarted, then the Zap answers again.
curl -fsS -X POST "http://127.0.0.1:$rport/control/fail" >/dev/null
for n in 1 2 3 4 5; do [ "$(deliver "$n")" = 202 ]; done
# (Without systemd, podman says on stderr that it cannot schedule healthchecks: kept out of the log unless the restart fails.)
podman restart "${project}_hub_1" >/dev/null 2>"$work/restart.log" || { cat "$work/restart.log" >&2; exit 1; }
wait_for "/healthz after the restart" 120 curl -fsS "$hub/healthz"
curl -fsS -X POST "http://127.0.0.1:$rport/control/ok" >/dev/null
wait_for "every delivery after the restart" 90 sh -c "[ \$(curl -fsS http://127.0.0.1:$rport/control/received | node -e 'process.stdin.on(\"data\",d=>console.log(new Set(JSON.parse(d)).size))') -ge 6 ]"
ids=$(received | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const a=JSON.parse(s);console.log(a.length, new Set(a).size)})')
[ "$ids" = "6 6" ] || { echo "container check: expected 6 deliveries, each Webhook-Id once; got (count, distinct) $ids" >&2; exit 1; }
step "hub container restarted with 5 deliveries queued: all 6 arrived, each Webhook-Id once"

(cd "$work" && podman-compose -p "$project" down >/dev/null 2>&1)
left=$(podman ps -a --filter "name=${project}_" --format '{{.Names}}')
[ -z "$left" ] || { echo "container check: containers left after down: $left" >&2; exit 1; }
step "down: no container left; image $((size / 1000000)) MB; took $(($(date +%s) - started)) s"
