#!/usr/bin/env bash
# The benchmark kit: starts the whole system on embedded defaults in a scratch data directory, seeds users and
# products, drives it with wrk on 127.0.0.1 for a bounded time per scenario, checks stock for consistency, stops.
#   bench/run.sh [seconds per scenario, default 15] [connections, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
CONNECTIONS=${2:-32}
export BENCH_DIR="$PWD/bench"
source scripts/prerequisites.sh
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v jq >/dev/null || { apt-get update -qq && apt-get install -y -qq jq >/dev/null; }

data=$(mktemp -d /tmp/reactive-shop-bench.XXXXXX)
log="$data/system.log"
mvn -B -ntp -q install -DskipTests
java -jar launcher/target/reactive-shop.jar --data-dir "$data" >"$log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do
  curl -sf localhost:3003/health/ready >/dev/null 2>&1 && curl -sf localhost:8080/health/ready >/dev/null 2>&1 && break
  sleep 1
done
curl -sf localhost:3003/health/ready >/dev/null || { echo "system did not become ready"; cat "$log"; exit 1; }

STOCK=1000000
users=(); products=()
for i in $(seq 1 20); do
  users+=("$(curl -s -X POST localhost:3001/api/users -H 'Content-Type: application/json' \
    -d "{\"name\":\"Bench $i\",\"email\":\"bench$i@example.com\"}" | jq -r .id)")
  products+=("$(curl -s -X POST localhost:3002/api/products -H 'Content-Type: application/json' \
    -d "{\"name\":\"Bench product $i\",\"priceCents\":$((100 * i)),\"stock\":$STOCK}" | jq -r .id)")
done
U=$(IFS=,; echo "${users[*]}"); P=$(IFS=,; echo "${products[*]}")

run() { # title url script args...
  local title=$1 url=$2 script=$3; shift 3
  echo; echo "== $title (${DURATION}s, $CONNECTIONS connections)"
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "bench/$script" "$url" -- "$@" \
    | grep -E "Requests/sec|Transfer|statuses|latency|Socket errors|Non-2xx"
}
run "GET product (direct)" http://127.0.0.1:3002 get-product.lua "$P"
run "GET product (through the gateway)" http://127.0.0.1:8080 get-product.lua "$P"
run "POST order (direct)" http://127.0.0.1:3003 post-order.lua "$U" "$P"

# Consistency: every unit that left stock is in a confirmed order.
sold=0
for p in "${products[@]}"; do
  stock=$(curl -s "localhost:3002/api/products/$p" | jq .stock)
  sold=$((sold + STOCK - stock))
done
ordered=0; offset=0
while :; do
  page=$(curl -s "localhost:3003/api/orders?limit=100&offset=$offset")
  n=$(echo "$page" | jq '.items | length')
  ordered=$((ordered + $(echo "$page" | jq '[.items[] | select(.status=="CONFIRMED") | .items[].quantity] | add // 0')))
  [ "$n" -lt 100 ] && break
  offset=$((offset + 100))
done
echo; echo "== consistency: units taken from stock=$sold, units in confirmed orders=$ordered"
[ "$sold" -eq "$ordered" ] && echo "OK" || { echo "MISMATCH"; exit 1; }
