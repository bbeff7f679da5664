#!/usr/bin/env bash
# run-issue5.sh — `make bench-issue5`: only the scenarios of issue 5, on the
# benchmark database of `make bench` (var/bench.db, built by bench/data.sh
# if missing or older than the synthetic generator):
#   showcase-page  the record page of the record with 10 indicators and 50
#                  reuses (cli_synth.c's showcase)
#   reco-api       GET /api/v1/organisations/KEY/recommendations, 2,000
#                  organisations owning a record, in rotation
#   reco-theme     the same with ?theme= (one of the 7 themes in rotation)
#   reco-page      GET /territoires-comme-le-mien?organisation=KEY
#   *-c1           one client (latency without queueing)
#   page-control   make bench's record page list (20,000 records): the
#                  record page must not get slower (similar records)
# Same wrk options and measurement as bench/run.sh (p50/p99 from wrk
# --latency, req/s, server CPU per request, errors); target p99 ≤ 20 ms for
# the recommendations. Prints a Markdown table; nothing is appended to
# bench/RESULTS.md (copy what you keep).
# Design notes: this duplicates run.sh's measure() in a shorter form so
# that these scenarios can be run in a minute, without the peers.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${BENCH_DURATION:-10s}
WRK_OPTS="-t2 -c32 -d$DUR --timeout 10s"
WRK_ONE="-t1 -c1 -d$DUR --timeout 10s"
PORT=${PORT:-8183}
IAT=${IAT:-build/iat}
DB=var/bench.db
ORGS=node_modules/@etalab/decoupage-administratif/data
P=var/bench-paths
OUT=var/bench-out
mkdir -p var $P $OUT
source bench/data.sh
CLK=$(getconf CLK_TCK)
$IAT serve --db $DB --listen 127.0.0.1:$PORT --threads "$(nproc)" --quiet > $OUT/iat-issue5.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf -o /dev/null http://127.0.0.1:$PORT/healthz && break; sleep 0.1; done
for f in iat-showcase iat-reco-api iat-reco-page; do
  head -100 $P/$f.txt | sed "s|^|http://127.0.0.1:$PORT|" | xargs -n 50 curl -s >/dev/null
done
echo "| scenario | run | req/s | p50 ms | p99 ms | server CPU µs/req | errors | target |"
echo "|---|---|---|---|---|---|---|---|"
measure() {
  local scen=$1 run=$2 file=$3 target=$4; shift 4
  local c0 c1 out
  c0=$(awk '{print $14 + $15}' /proc/$PID/stat)
  out=$(BENCH_URLS=$file wrk "$@" --latency -s bench/urls.lua http://127.0.0.1:$PORT)
  c1=$(awk '{print $14 + $15}' /proc/$PID/stat)
  echo "$out" > $OUT/issue5-$scen-$run.txt
  echo "$out" | awk -v scen="$scen" -v run="$run" -v dt=$((c1 - c0)) -v clk="$CLK" -v target="$target" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
    / requests in / { req = $1 }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /Socket errors/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx/ { err += $5 }
    END { t = target ? sprintf("p99 ≤ %d ms: %s (%.2f× the limit)", target, p99 <= target ? "met" : "**not met**", p99 / target) : "—"
          printf "| %s | %s | %.0f | %.2f | %.2f | %.0f | %d | %s |\n", scen, run, rps, p50, p99, req ? dt / clk * 1e6 / req : 0, err, t }'
}
for run in 1 2; do
  measure page-control $run $P/iat-page.txt 0 $WRK_OPTS
  measure showcase-page $run $P/iat-showcase.txt 0 $WRK_OPTS
  measure reco-api $run $P/iat-reco-api.txt 20 $WRK_OPTS
  measure reco-theme $run $P/iat-reco-theme.txt 20 $WRK_OPTS
  measure reco-page $run $P/iat-reco-page.txt 20 $WRK_OPTS
  measure reco-api-c1 $run $P/iat-reco-api.txt 20 $WRK_ONE
  measure reco-page-c1 $run $P/iat-reco-page.txt 20 $WRK_ONE
done
echo
echo "Memory: $(grep -E 'VmHWM' /proc/$PID/status | tr -s ' ')"
