#!/usr/bin/env bash
# run.sh — `make bench`: IA·T side by side with its peers, same data, same
# machine, same wrk command lines, and a table of ratios appended to
# bench/RESULTS.md.
#
# Design notes
# - Data: var/bench.db = every French organisation + the 23 real
#   Interconnectés records + `iat synth --records 100000 --seed 42` (built
#   once; its import time is kept in var/bench.db.import-time). The same
#   published records are copied into Directus's SQLite table by SQL.
# - Peers (installed here only, never by `make test`), under bench/peers/
#   (git-ignored):
#   * nginx (Debian), bench/nginx.conf: the ceiling, serving a copy of one
#     real IA·T JSON reply and of one real record page (same bytes);
#   * Directus 12.4.0 (npm, SQLite), started through its own CLI entry
#     (@directus/api/cli/run.js: the `directus` wrapper only adds an update
#     check) with TELEMETRY=false; schema and public read permission by its
#     REST API (bench/directus-setup.mjs).
# - Scenarios: one wrk script (bench/urls.lua) reads a list of paths
#   written here from the database (var/bench-paths/*.txt), so each server
#   gets the same ids and queries. Every scenario runs with the same wrk
#   options on every server; the pairs alternate (IA·T, peer, IA·T, peer).
# - Per run: req/s, p50/p99 (wrk --latency), server CPU µs per request
#   (utime+stime from /proc/PID/stat of the server and its children, before
#   and after), peak RSS (VmHWM, summed over nginx's processes), errors
#   (wrk socket errors + non-2xx/3xx).
# - BENCH_DURATION (default 10s) shortens runs while debugging;
#   BENCH_NO_DIRECTUS=1 skips Directus; BENCH_NO_WRITE=1 prints the report
#   without appending it to bench/RESULTS.md.
# - Issue 6: after the HTTP scenarios, two full CSV exports of the bench
#   database by `iat export csv` (time, peak RSS polled from /proc, size),
#   then one history export (`iat export history`, every public version).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DUR=${BENCH_DURATION:-10s}
WRK_OPTS="-t2 -c32 -d$DUR --timeout 10s"
WRK_ONE="-t1 -c1 -d$DUR --timeout 10s"
IAT_PORT=8181 NGINX_PORT=8182 DIRECTUS_PORT=8055
DIRECTUS_VERSION=12.4.0
IAT=build/iat
DB=var/bench.db
ORGS=node_modules/@etalab/decoupage-administratif/data
P=var/bench-paths
OUT=var/bench-out
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

scripts/deps.sh bench
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
mkdir -p var $P $OUT
rm -f $OUT/results.tsv

PIDS_TO_KILL=()
cleanup() { for p in "${PIDS_TO_KILL[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

source bench/data.sh
echo "== orgs load (fresh database, 3 runs)"
ORGS_TIMES=()
for i in 1 2 3; do
  rm -f /tmp/iat-orgs.db*; $IAT init --db /tmp/iat-orgs.db >/dev/null
  t0=$(date +%s.%N); $IAT orgs load --db /tmp/iat-orgs.db $ORGS >/dev/null
  ORGS_TIMES+=("$(printf '%.2f' "$(echo "$(date +%s.%N) - $t0" | bc)")")
done
rm -f /tmp/iat-orgs.db*
echo "   ${ORGS_TIMES[*]} s"
IMPORT_TIME=$(cat $DB.import-time 2>/dev/null || echo "?")

# ---- helpers ----------------------------------------------------------
CLK=$(getconf CLK_TCK)
# pids of a server: the process and its children (nginx workers)
pids_of() { echo "$1 $(pgrep -P "$1" | tr '\n' ' ')"; }
cpu_ticks() { local s=0 p; for p in $(pids_of "$1"); do
  [ -r /proc/$p/stat ] && s=$((s + $(awk '{print $14 + $15}' /proc/$p/stat))); done; echo $s; }
hwm_kib() { local s=0 p; for p in $(pids_of "$1"); do
  [ -r /proc/$p/status ] && s=$((s + $(awk '/VmHWM/{print $2}' /proc/$p/status))); done; echo $s; }
wait_http() { for _ in $(seq 600); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not answering: $1" >&2; return 1; }

# measure SCENARIO SERVER RUN PID BASE PATHFILE WRK-OPTIONS...
measure() {
  local scen=$1 server=$2 run=$3 pid=$4 base=$5 file=$6; shift 6
  local c0 c1 out
  c0=$(cpu_ticks "$pid")
  out=$(BENCH_URLS=$file wrk "$@" --latency -s bench/urls.lua "$base")
  c1=$(cpu_ticks "$pid")
  echo "$out" > "$OUT/$scen-$server-$run.txt"
  echo "$out" | awk -v scen="$scen" -v server="$server" -v run="$run" -v dt=$((c1 - c0)) -v clk="$CLK" \
      -v hwm="$(hwm_kib "$pid")" -v cmd="wrk $* --latency -s bench/urls.lua $base (BENCH_URLS=$file)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
    / requests in / { req = $1 }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /Socket errors/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx/ { err += $5 }
    END { printf "%s\t%s\t%s\t%.0f\t%.2f\t%.2f\t%.0f\t%.1f\t%d\t%s\n", scen, server, run, rps, p50, p99,
          req ? dt / clk * 1e6 / req : 0, hwm / 1024, err, cmd }' | tee -a $OUT/results.tsv |
    awk -F'\t' '{ printf "   %-12s %-8s run %s: %7s req/s  p50 %6s ms  p99 %7s ms  cpu %5s µs/req  rss %6s MiB  errors %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }'
}

# ---- servers ----------------------------------------------------------
echo "== starting IA·T"
$IAT serve --db $DB --listen 127.0.0.1:$IAT_PORT --threads "$(nproc)" --quiet > $OUT/iat.log 2>&1 &
IAT_PID=$!; PIDS_TO_KILL+=($IAT_PID)
wait_http http://127.0.0.1:$IAT_PORT/healthz
for f in iat-byid iat-page iat-list iat-rare iat-freq iat-facets iat-org iat-showcase iat-reco-api; do   # warm the page cache
  head -200 $P/$f.txt | sed "s|^|http://127.0.0.1:$IAT_PORT|" | xargs -n 50 curl -s >/dev/null
done

echo "== starting nginx"
NG=var/bench-nginx
rm -rf $NG; mkdir -p $NG/www $NG/tmp
curl -s -o $NG/www/usecase.json "http://127.0.0.1:$IAT_PORT$(head -1 $P/iat-byid.txt)"
curl -s -o $NG/www/usecase.html "http://127.0.0.1:$IAT_PORT$(head -1 $P/iat-page.txt)"
echo /usecase.json > $P/nginx-json.txt
echo /usecase.html > $P/nginx-html.txt
nginx -p "$ROOT/$NG/" -c "$ROOT/bench/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!; PIDS_TO_KILL+=($NGINX_PID)
wait_http http://127.0.0.1:$NGINX_PORT/usecase.json

DIRECTUS_PID=
if [ -z "${BENCH_NO_DIRECTUS:-}" ]; then
  echo "== Directus $DIRECTUS_VERSION (bench/peers/directus)"
  D=bench/peers/directus
  mkdir -p $D
  if [ ! -x $D/node_modules/.bin/directus ] || ! grep -q "\"version\": \"$DIRECTUS_VERSION\"" $D/node_modules/directus/package.json; then
    printf '{ "name": "iat-bench-directus", "private": true, "version": "0.0.0",\n  "dependencies": { "directus": "%s" } }\n' \
      $DIRECTUS_VERSION > $D/package.json
    echo "   npm install directus@$DIRECTUS_VERSION (native modules compile: a few minutes)"
    (cd $D && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  cat > $D/.env <<EOF
HOST=127.0.0.1
PORT=$DIRECTUS_PORT
PUBLIC_URL=http://127.0.0.1:$DIRECTUS_PORT
DB_CLIENT=sqlite3
DB_FILENAME=./data.db
KEY=iat-bench-key-not-secret
SECRET=iat-bench-secret-not-secret-0123456789
ADMIN_EMAIL=admin@example.com
ADMIN_PASSWORD=bench-admin-password
TELEMETRY=false
LOG_LEVEL=warn
EOF
  # its own CLI entry, without the update check of the `directus` wrapper
  echo "import('@directus/api/cli/run.js');" > $D/run.mjs
  directus() { (cd $D && node run.mjs "$@"); }
  start_directus() {
    (cd $D && exec node run.mjs start > ../directus.log 2>&1) &
    DIRECTUS_PID=$!; PIDS_TO_KILL+=($DIRECTUS_PID)
    wait_http http://127.0.0.1:$DIRECTUS_PORT/server/ping
  }
  COUNT=0
  [ -f $D/data.db ] && COUNT=$(sqlite3 -readonly $D/data.db "SELECT count(*) FROM usecases" 2>/dev/null || echo 0)
  WANT=$($Q "SELECT count(*) FROM usecase WHERE visible = 1")
  if [ "$COUNT" != "$WANT" ]; then
    sqlite3 -readonly $D/data.db "SELECT 1 FROM directus_users LIMIT 1" >/dev/null 2>&1 ||
      { directus bootstrap > bench/peers/directus-bootstrap.log 2>&1 ||
        { tail bench/peers/directus-bootstrap.log; rm -f $D/data.db; exit 1; }; }
    start_directus
    node bench/directus-setup.mjs http://127.0.0.1:$DIRECTUS_PORT admin@example.com bench-admin-password
    kill $DIRECTUS_PID; wait $DIRECTUS_PID 2>/dev/null || true
    echo "   copying $WANT records into Directus's SQLite table"
    sqlite3 $D/data.db <<EOF
ATTACH '$ROOT/$DB' AS b;
BEGIN;
DELETE FROM usecases;
INSERT INTO usecases (id, slug, title, summary, description, theme, status, state, owner, owner_name, owner_kind,
                      risk_level, personal_data, start_date, ai_techniques, audiences, partners,
                      created_at, updated_at, published_at)
SELECT u.id, u.slug, u.title, u.summary, json_extract(d.doc, '\$.description'), u.theme, u.status, u.state,
       o.kind || '-' || o.code, o.name, o.kind, u.risk_level, json_extract(d.doc, '\$.personal_data'),
       json_extract(d.doc, '\$.start_date'), json_extract(d.doc, '\$.ai_techniques'),
       json_extract(d.doc, '\$.audiences'), json_extract(d.doc, '\$.partners'),
       u.created_at, u.updated_at, u.published_at
FROM b.usecase u JOIN b.usecase_blob d ON d.id = u.id JOIN b.organisation o ON o.id = u.owner_org_id
WHERE u.visible = 1;
COMMIT;
EOF
  fi
  start_directus
  for f in dir-byid dir-list dir-rare; do
    head -20 $P/$f.txt | sed "s|^|http://127.0.0.1:$DIRECTUS_PORT|" | xargs -n 20 curl -sg >/dev/null
  done
  curl -s "http://127.0.0.1:$DIRECTUS_PORT$(head -1 $P/dir-byid.txt)" | head -c 300; echo
fi

# ---- scenarios --------------------------------------------------------
IB=http://127.0.0.1:$IAT_PORT NB=http://127.0.0.1:$NGINX_PORT DB_=http://127.0.0.1:$DIRECTUS_PORT
echo "== scenarios (wrk $WRK_OPTS; load average $(cut -d' ' -f1-3 /proc/loadavg))"
for run in 1 2; do
  measure byid iat $run $IAT_PID $IB $P/iat-byid.txt $WRK_OPTS
  [ -n "$DIRECTUS_PID" ] && measure byid directus $run $DIRECTUS_PID $DB_ $P/dir-byid.txt $WRK_OPTS
  measure byid nginx $run $NGINX_PID $NB $P/nginx-json.txt $WRK_OPTS
done
for run in 1 2; do
  measure page iat $run $IAT_PID $IB $P/iat-page.txt $WRK_OPTS
  measure page nginx $run $NGINX_PID $NB $P/nginx-html.txt $WRK_OPTS
done
for run in 1 2; do
  measure list iat $run $IAT_PID $IB $P/iat-list.txt $WRK_OPTS
  [ -n "$DIRECTUS_PID" ] && measure list directus $run $DIRECTUS_PID $DB_ $P/dir-list.txt $WRK_OPTS
done
for run in 1 2; do
  measure search-rare iat $run $IAT_PID $IB $P/iat-rare.txt $WRK_OPTS
  [ -n "$DIRECTUS_PID" ] && measure search-rare directus $run $DIRECTUS_PID $DB_ $P/dir-rare.txt $WRK_OPTS
done
for run in 1 2; do
  measure search-freq iat $run $IAT_PID $IB $P/iat-freq.txt $WRK_OPTS
  measure search-facet iat $run $IAT_PID $IB $P/iat-facets.txt $WRK_OPTS
  measure org-page iat $run $IAT_PID $IB $P/iat-org.txt $WRK_OPTS
done
for run in 1 2; do
  measure search-rare-c1 iat $run $IAT_PID $IB $P/iat-rare.txt $WRK_ONE
  measure search-freq-c1 iat $run $IAT_PID $IB $P/iat-freq.txt $WRK_ONE
  measure search-facet-c1 iat $run $IAT_PID $IB $P/iat-facets.txt $WRK_ONE
done
# issue 5: record page with 10 indicators and 50 reuses; "territoires comme le mien"
for run in 1 2; do
  measure showcase-page iat $run $IAT_PID $IB $P/iat-showcase.txt $WRK_OPTS
  measure reco-api iat $run $IAT_PID $IB $P/iat-reco-api.txt $WRK_OPTS
  measure reco-theme iat $run $IAT_PID $IB $P/iat-reco-theme.txt $WRK_OPTS
  measure reco-page iat $run $IAT_PID $IB $P/iat-reco-page.txt $WRK_OPTS
  measure reco-api-c1 iat $run $IAT_PID $IB $P/iat-reco-api.txt $WRK_ONE
done
# issue 6: the full CSV export of the library by the CLI (time, peak RSS of
# the process: VmHWM polled while it runs; the file goes to var/bench-out)
echo "== export: iat export csv of $DB"
export_run() { # $1 format → "seconds rss_mib bytes"
  local f=$OUT/export.$1 t0 pid hwm=0 h
  t0=$(date +%s.%N)
  $IAT export "$1" --db $DB --out "$f" 2>$OUT/export-$1.log & pid=$!
  while kill -0 $pid 2>/dev/null; do
    h=$(awk '/VmHWM/{print $2}' /proc/$pid/status 2>/dev/null || echo 0); [ "${h:-0}" -gt "$hwm" ] && hwm=$h
    sleep 0.05
  done
  wait $pid
  awk -v a="$t0" -v b="$(date +%s.%N)" -v h="$hwm" -v s="$(stat -c %s "$f")" 'BEGIN { printf "%.2f %.1f %s\n", b - a, h / 1024, s }'
}
EXPORT_CSV=$(export_run csv); EXPORT_CSV2=$(export_run csv)
echo "export csv: $EXPORT_CSV; $EXPORT_CSV2 (seconds, peak RSS MiB, bytes)"
rm -f $OUT/export.csv
# issue 6: the history export (every public version, JSON Lines), same measure
EXPORT_HIST=$(export_run history)
echo "export history: $EXPORT_HIST (seconds, peak RSS MiB, bytes)"
rm -f $OUT/export.history
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report -----------------------------------------------------------
R=$OUT/report.md
NGINX_V=$(nginx -v 2>&1 | sed 's/.*nginx\///')
{
  echo
  echo "## $(date -u +%Y-%m-%d) — \`make bench\`: IA·T, Directus, nginx side by side"
  echo
  echo "IA·T $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' (+ local changes)')," \
       "\`iat serve --threads $(nproc)\` (RelWithDebInfo); Directus $DIRECTUS_VERSION (npm, SQLite, Node $(node --version));" \
       "nginx $NGINX_V (Debian, $(nproc) workers); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); SQLite $(sqlite3 --version | cut -d' ' -f1)."
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "load average at start $LOAD_START, before the scenarios as printed by the script, at the end $LOAD_END."
  echo "Data: $($Q "SELECT count(*) FROM usecase WHERE visible = 1") published records (23 real + \`iat synth --records 100000 --seed 42\`), the same rows in Directus."
  echo
  echo "Every run: \`BENCH_URLS=var/bench-paths/<list> wrk $WRK_OPTS --latency -s bench/urls.lua http://127.0.0.1:PORT\`"
  echo "(one-client runs, marked -c1: \`wrk $WRK_ONE\`). Lists: by id = 20,000 ids (\`/api/v1/usecases/ID\`, \`/items/usecases/ID\`, nginx \`/usecase.json\`, a copy of one IA·T reply);"
  echo "page = \`/fiches/ID-slug\` (nginx: a copy of one record page); list = theme × status filter, sorted by update, 20 rows"
  echo "(\`/api/v1/usecases?theme=T&status=S&sort=updated\`, \`/items/usecases?filter[theme][_eq]=T&filter[status][_eq]=S&sort=-updated_at&limit=20\`);"
  echo "search-rare = one rare word ($RARE; Directus \`?search=W&limit=20\`); search-freq = two frequent words (bench/search2.lua's 14);"
  echo "search-facet = one frequent word + theme filter; org-page = \`/organisations/KIND-CODE\`."
  echo
  echo "| scenario | server | run | req/s | p50 ms | p99 ms | server CPU µs/req | peak RSS MiB | errors |"
  echo "|---|---|---|---|---|---|---|---|---|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' $OUT/results.tsv
  echo
  echo "Ratios (mean of the two runs):"
  echo
  echo "| scenario | IA·T req/s | Directus | nginx | IA·T / Directus | IA·T / nginx | target | |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -F'\t' '
    { k = $1 SUBSEP $2; s[k] += $4; n[k]++; if ($6 > p99[k]) p99[k] = $6; rss[$2] = $8 > rss[$2] ? $8 : rss[$2]; scen[$1] = 1 }
    function m(sc, sv) { k = sc SUBSEP sv; return n[k] ? s[k] / n[k] : 0 }
    function row(sc, tgt_d, tgt_n, extra, lim,   i, d, g, r1, r2, ok) {
      if (lim == "") lim = 10
      if (!(sc in scen)) return
      i = m(sc, "iat"); d = m(sc, "directus"); g = m(sc, "nginx"); ok = 1
      r1 = d ? sprintf("%.0f×", i / d) : "—"; r2 = g ? sprintf("%.2f×", i / g) : "—"
      t = ""
      if (tgt_d) { t = t "≥ " tgt_d "× Directus "; if (!d || i / d < tgt_d) ok = 0 }
      if (tgt_n) { t = t "≥ " tgt_n "× nginx "; if (!g || i / g < tgt_n) ok = 0 }
      if (extra != "") { t = t extra; if (p99[sc SUBSEP "iat"] > lim) ok = 0 }
      printf "| %s | %.0f | %s | %s | %s | %s | %s | %s |\n", sc, i, d ? sprintf("%.0f", d) : "—", g ? sprintf("%.0f", g) : "—",
             r1, r2, t == "" ? "—" : t, t == "" ? "" : (ok ? "met" : "**not met**")
    }
    END {
      row("byid", 100, 0.5, ""); row("page", 0, 0.3, ""); row("list", 100, 0, "")
      row("search-rare", 50, 0, "p99 ≤ 10 ms"); row("search-freq", 0, 0, "p99 ≤ 10 ms"); row("search-facet", 0, 0, "p99 ≤ 10 ms")
      row("org-page", 0, 0, "")
      row("search-rare-c1", 0, 0, "p99 ≤ 10 ms"); row("search-freq-c1", 0, 0, "p99 ≤ 10 ms"); row("search-facet-c1", 0, 0, "p99 ≤ 10 ms")
      row("showcase-page", 0, 0, "")
      row("reco-api", 0, 0, "p99 ≤ 20 ms", 20); row("reco-theme", 0, 0, "p99 ≤ 20 ms", 20)
      row("reco-page", 0, 0, "p99 ≤ 20 ms", 20); row("reco-api-c1", 0, 0, "p99 ≤ 20 ms", 20)
      print ""
      if (rss["directus"]) printf "Peak RSS: IA·T %.1f MiB, Directus %.1f MiB (%.1f%%: target ≤ 10%% — %s), nginx %.1f MiB (all processes).\n",
        rss["iat"], rss["directus"], 100 * rss["iat"] / rss["directus"], rss["iat"] * 10 <= rss["directus"] ? "met" : "**not met**", rss["nginx"]
      else printf "Peak RSS: IA·T %.1f MiB, nginx %.1f MiB (Directus not measured).\n", rss["iat"], rss["nginx"]
    }' $OUT/results.tsv
  echo "Loading every French organisation into a fresh database (\`iat orgs load\`): ${ORGS_TIMES[*]} s (target < 2 s)."
  read -r ES1 ER1 EB1 <<<"$EXPORT_CSV"; read -r ES2 ER2 EB2 <<<"$EXPORT_CSV2"
  printf 'Full CSV export of every visible record (`iat export csv --out`, issue 6): %.2f s and %.2f s, peak RSS %s and %s MiB (constant memory: one batch of 256 records), %s bytes.\n' "$ES1" "$ES2" "$ER1" "$ER2" "$EB1"
  read -r HS HR HB <<<"$EXPORT_HIST"
  printf 'History export, every public version as JSON Lines (`iat export history --out`, issue 6): %.2f s, peak RSS %s MiB (one batch of 256 versions), %s bytes.\n' "$HS" "$HR" "$HB"
  echo "Importing the 100,000 synthetic records (\`iat synth\`, each validated and saved like an API write): ${IMPORT_TIME%.*} s when var/bench.db was built (target < 15 s)."
  # issue 7, survey statistics: the engine alone, target < 100 ms computed; then the
  # results page of a campaign answered by every authority, served from the cache
  # (bench/survey_serve.sh, target >= 1,000 req/s), beside nginx
  echo
  build/survey_stats_bench 20
  bench/survey_serve.sh || echo "survey_serve.sh failed (see above)"
} > $R
cat $R
if [ -z "${BENCH_NO_WRITE:-}" ]; then cat $R >> bench/RESULTS.md; echo "(appended to bench/RESULTS.md)"; fi
