#!/usr/bin/env bash
# The benchmark kit. Builds, starts the whole system on embedded infrastructure in a scratch data directory on free
# ports, then runs bench/target/bench.jar, which measures in one go the ceilings (a bare Vert.x hello server driven by
# wrk, a bare jnats echo responder driven by the Java NATS load generator) and every scenario, and prints each figure
# as a ratio to its ceiling from this same run. Writes results.json, table.md and chart.png under bench/results/.
#
#   bench/run.sh [seconds per scenario, default 15] [connections, default 64]
#
# Environment: WRK_THREADS (default 1), NATS_IN_FLIGHT (default 64), BENCH_PROFILE=1 (JFR recording of the
# POST-order scenario, summarised by thread group), BENCH_BUILD=0 (use the jars already built),
# BENCH_SYSTEM_JAVA_OPTS (JVM options for the system under test).
# Every scenario is bounded in time; the system is stopped (TERM, then wait) when the script exits.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
CONNECTIONS=${2:-64}
WRK_THREADS=${WRK_THREADS:-1}
NATS_IN_FLIGHT=${NATS_IN_FLIGHT:-64}
case "$DURATION$CONNECTIONS$WRK_THREADS$NATS_IN_FLIGHT" in *[!0-9]*) echo "usage: bench/run.sh [seconds] [connections]" >&2; exit 2 ;; esac
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 600 ] || { echo "seconds per scenario must be 1..600" >&2; exit 2; }
[ "$CONNECTIONS" -ge 1 ] && [ "$CONNECTIONS" -le 1000 ] || { echo "connections must be 1..1000" >&2; exit 2; }

source scripts/prerequisites.sh
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${need[*]} ..."
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ "${BENCH_BUILD:-1}" != "0" ]; then
  echo "== building (mvn -B -ntp install -DskipTests)"
  mvn -B -ntp install -DskipTests
fi
bench_jar=bench/target/bench.jar
system_jar=launcher/target/reactive-shop.jar
[ -f "$bench_jar" ] && [ -f "$system_jar" ] || { echo "missing $bench_jar or $system_jar: build first" >&2; exit 1; }

results="bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$results"
ln -sfn "$(basename "$results")" bench/results/latest
scratch=$(mktemp -d /tmp/reactive-shop-bench.XXXXXX)
log="$scratch/system.log"
pid=""
bench_pid=""

stop_all() {
  local status=$?
  if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
    kill -TERM "$bench_pid" 2>/dev/null || true
    wait "$bench_pid" 2>/dev/null || true
  fi
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    echo "== stopping the system (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "   still running after 60 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  fi
  [ -f "$log" ] && cp "$log" "$results/system.log"
  rm -rf "$scratch"
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

died() {
  echo "The system process died. Last lines of its log:" >&2
  tail -n 60 "$log" >&2
  exit 1
}

read -r user_port product_port order_port gateway_port < <(java -jar "$bench_jar" free-ports 4) || true
[ -n "${gateway_port:-}" ] || { echo "could not pick free ports" >&2; exit 1; }
echo "== starting the system in $scratch (ports: user $user_port, product $product_port, order $order_port, gateway $gateway_port)"
start_ns=$(date +%s%N)
# A scratch system on embedded infrastructure: external NATS_URL / MONGO_URI / PG_URI are not used here.
env -u NATS_URL -u MONGO_URI -u PG_URI -u HTTP_PORT \
  USER_HTTP_PORT="$user_port" PRODUCT_HTTP_PORT="$product_port" ORDER_HTTP_PORT="$order_port" \
  GATEWAY_HTTP_PORT="$gateway_port" DATA_DIR="$scratch/data" \
  java ${BENCH_SYSTEM_JAVA_OPTS:-} -jar "$system_jar" --data-dir "$scratch/data" >"$log" 2>&1 &
pid=$!

ports=("$user_port" "$product_port" "$order_port" "$gateway_port")
ready_ns=""
deadline=$(( $(date +%s) + 180 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  kill -0 "$pid" 2>/dev/null || died
  all=1
  for port in "${ports[@]}"; do
    curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/ready" || { all=0; break; }
  done
  if [ "$all" -eq 1 ]; then ready_ns=$(date +%s%N); break; fi
  sleep 0.05
done
[ -n "$ready_ns" ] || { echo "The system did not become ready within 180 s." >&2; tail -n 60 "$log" >&2; exit 1; }
start_ms=$(( (ready_ns - start_ns) / 1000000 ))
echo "   ready after ${start_ms} ms"

# Where the embedded servers ended up (their usual ports when free, else free ones): the launcher prints them.
uri() { sed -n -E "s#^  $1 +([a-z]+://[^ ]+).*#\\1#p" "$log" | head -n 1; }
for _ in $(seq 1 100); do [ -n "$(uri NATS)" ] && break; sleep 0.1; done
nats_url=$(uri NATS); mongo_uri=$(uri MongoDB); pg_uri=$(uri PostgreSQL)
[ -n "$nats_url" ] || { echo "Could not find the NATS URL in the system log." >&2; tail -n 40 "$log" >&2; exit 1; }
echo "   NATS $nats_url, MongoDB ${mongo_uri:-?}, PostgreSQL ${pg_uri:-?}"

java -jar "$bench_jar" run \
  --user-url "http://127.0.0.1:$user_port" --product-url "http://127.0.0.1:$product_port" \
  --order-url "http://127.0.0.1:$order_port" --gateway-url "http://127.0.0.1:$gateway_port" \
  --nats "$nats_url" --mongo "${mongo_uri:--}" --pg "${pg_uri:--}" \
  --seconds "$DURATION" --connections "$CONNECTIONS" --wrk-threads "$WRK_THREADS" --in-flight "$NATS_IN_FLIGHT" \
  --start-ms "$start_ms" --system-pid "$pid" --data-dir "$scratch" --bench-dir "$PWD/bench" \
  --results "$PWD/$results" --profile "$([ "${BENCH_PROFILE:-0}" = "1" ] && echo true || echo false)" &
bench_pid=$!
# Watch both: the system must outlive the benchmark.
while kill -0 "$bench_pid" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$bench_pid" 2>/dev/null || true
    died
  fi
  sleep 1
done
bench_status=0
wait "$bench_pid" || bench_status=$?
bench_pid=""
echo "== results in $results (bench/results/latest)"
exit "$bench_status"
