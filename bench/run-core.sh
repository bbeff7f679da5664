#!/usr/bin/env bash
# run-core.sh — the measurements asked by the core issue (record by id,
# two-word search, RSS, organisation load), on 100k synthetic records.
# A first step; `make bench` (later issue) adds the peers side by side.
# Usage: bench/run-core.sh   (from the repository root; needs wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh bench
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
IAT=build/iat
DB=var/bench.db
ORGS=node_modules/@etalab/decoupage-administratif/data
PORT=${PORT:-8181}
mkdir -p var
if [ ! -f $DB ]; then
  rm -f $DB.new*
  $IAT init --db $DB.new >/dev/null
  $IAT orgs load --db $DB.new $ORGS
  $IAT import interconnectes --db $DB.new data/demo/interconnectes.csv 2>/dev/null
  $IAT synth --db $DB.new --records 100000 --seed 42
  mv $DB.new $DB
fi
echo "== orgs load (fresh database, 3 runs)"
for i in 1 2 3; do
  rm -f /tmp/iat-orgs.db*; $IAT init --db /tmp/iat-orgs.db >/dev/null
  $IAT orgs load --db /tmp/iat-orgs.db $ORGS
done
echo "== orgs reload on the bench database copy"
rm -f /tmp/iat-reload.db*; cp $DB /tmp/iat-reload.db; $IAT orgs load --db /tmp/iat-reload.db $ORGS; rm -f /tmp/iat-reload.db*

$IAT serve --db $DB --listen 127.0.0.1:$PORT --threads 2 --quiet >/tmp/iat-bench.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for i in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/usecases?q=warmup"
echo "== record by id (JSON), random ids over 100k: wrk -t2 -c32 -d15s"
show() { grep -E "Requests/sec|^ +(50|90|99)%|Socket|Non-2xx"; }
for run in 1 2; do IAT_N=100000 wrk -t2 -c32 -d15s --latency -s bench/byid.lua http://127.0.0.1:$PORT | show; done
echo "== two-word search, 14 queries in rotation, one client: wrk -t1 -c1 -d15s"
for run in 1 2; do wrk -t1 -c1 -d15s --latency -s bench/search2.lua http://127.0.0.1:$PORT | show; done
echo "== two-word search, 14 queries in rotation, 4 clients: wrk -t1 -c4 -d15s"
for run in 1 2; do wrk -t1 -c4 -d15s --latency -s bench/search2.lua http://127.0.0.1:$PORT | show; done
echo "== matches per query"
for q in $(grep -o '"[a-z%0-9]*"' bench/search2.lua | tr -d '"'); do
  curl -s -w " %{time_total}s $q\n" "http://127.0.0.1:$PORT/api/v1/usecases?q=$q&per_page=20" | grep -o '"total":[0-9]*\| [0-9.]*s [a-z%0-9]*$' | tr '\n' ' '; echo
done
echo "== memory"
grep -E "VmRSS|VmHWM" /proc/$PID/status
