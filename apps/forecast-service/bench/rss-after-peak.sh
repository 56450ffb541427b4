#!/usr/bin/env bash
# Server RSS before and after a load peak (issue 13 §1: "RSS returns within 25 % of its idle
# level"). A fixed amount of work, not a fixed time, so a busy machine changes how long it takes
# more than what it measures: 40 warm-up requests on 2 connections, 3 s quiet (the server's
# malloc_trim after a quiet spell, --memory-trim-quiet-ms, runs after the warm-up too), RSS "idle"; then 1,500
# requests on 64 connections with a 60 s budget header (nothing refused, so the micro-batches grow
# as large as concurrency makes them), RSS "after" and again 10 s later. Extra arguments go to
# main.ts; the environment is passed through (try MALLOC_* settings this way).
#
#   bash apps/forecast-service/bench/rss-after-peak.sh [--model DIR] [--memory-trim-quiet-ms 0]
set -euo pipefail
cd "$(dirname "$0")/../../.."
port=${PORT:-18999}
body=$(mktemp)
trap 'rm -f "$body"; [[ -n "${pid:-}" ]] && kill -TERM "$pid" 2>/dev/null || true' EXIT
npx tsx -e "import('./apps/forecast-service/bench/request-body.ts').then((m) => process.stdout.write(m.issueRequestBody()))" >"$body"
node --import tsx apps/forecast-service/src/main.ts --host 127.0.0.1 --port "$port" --log-level warn "$@" >/dev/null &
pid=$!
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 1; done
rss() { echo $(($(ps -o rss= -p "$pid") / 1024)); }
# The server's CPU time (all threads, user + system) in ms: the peak's cost per request shows what
# a trim before it costs (freed pages faulted back in).
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$pid/stat"; }
load() { npx autocannon -c "$1" -a "$2" -m POST -H content-type=application/json -H x-latency-budget-ms=60000 \
  -i "$body" "http://127.0.0.1:$port/forecast" >/dev/null 2>&1; }
load 2 40
sleep 3
idle=$(rss)
before=$(uptime | sed 's/.*load average/load average/')
cpu0=$(cpu_ms)
load 64 1500
cpu1=$(cpu_ms)
after=$(rss)
sleep 10
settled=$(rss)
echo "RSS idle ${idle} MiB, after the peak ${after} MiB, 10 s later ${settled} MiB: $(( (settled - idle) * 100 / idle )) % above idle (target ≤ 25 %); server CPU $(awk -v ms=$((cpu1 - cpu0)) 'BEGIN { printf "%.1f", ms / 1500 }') ms per request in the peak; ${before} → $(uptime | sed 's/.*load average/load average/')"
