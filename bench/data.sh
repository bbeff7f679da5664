# data.sh — sourced by bench/run.sh and bench/soak.sh: builds the
# benchmark database var/bench.db once (every French organisation, the 23
# real Interconnectés records and `iat synth --records 100000 --seed 42`;
# the synth time is kept in var/bench.db.import-time) and writes the path
# lists of the scenarios into var/bench-paths/ (deterministic: the same
# ids and queries for every server and every run).
# Expects IAT, DB, ORGS and P set, and the current directory the
# repository root.
# ---- data set ---------------------------------------------------------
# SYNTH_VERSION: bumped when `iat synth` produces other data (2: issue 5,
# indicators, labels and reuses); an older var/bench.db is rebuilt.
SYNTH_VERSION=2
if [ -f $DB ] && [ "$(cat $DB.synth-version 2>/dev/null || echo 1)" != "$SYNTH_VERSION" ]; then
  echo "== var/bench.db was built by an older \`iat synth\`: rebuilding it"
  rm -f $DB $DB-wal $DB-shm
fi
if [ ! -f $DB ]; then
  rm -f $DB.new*
  $IAT init --db $DB.new >/dev/null
  $IAT orgs load --db $DB.new $ORGS
  $IAT import interconnectes --db $DB.new data/demo/interconnectes.csv 2>/dev/null
  t0=$(date +%s.%N)
  $IAT synth --db $DB.new --records 100000 --seed 42
  echo "$(date +%s.%N) - $t0" | bc > $DB.import-time
  mv $DB.new $DB
  echo $SYNTH_VERSION > $DB.synth-version
fi
Q="sqlite3 -readonly $DB"
# ---- path lists (deterministic: ids ordered by a multiplicative hash) --
$Q "SELECT id FROM usecase WHERE visible = 1 ORDER BY (id * 2654435761) % 1000003 LIMIT 20000" > $P/ids
sed 's|^|/api/v1/usecases/|' $P/ids > $P/iat-byid.txt
sed 's|^|/items/usecases/|' $P/ids > $P/dir-byid.txt
$Q "SELECT '/fiches/' || id || '-' || slug FROM usecase WHERE visible = 1 ORDER BY (id * 2654435761) % 1000003 LIMIT 20000" > $P/iat-page.txt
$Q "SELECT DISTINCT '/organisations/' || o.kind || '-' || o.code FROM usecase u JOIN organisation o ON o.id = u.owner_org_id
    WHERE u.visible = 1 ORDER BY (o.id * 2654435761) % 1000003 LIMIT 2000" > $P/iat-org.txt
$Q "SELECT DISTINCT theme || ' ' || status FROM usecase WHERE visible = 1 AND theme IS NOT NULL AND status IS NOT NULL ORDER BY 1" > $P/facets
awk '{print "/api/v1/usecases?theme=" $1 "&status=" $2 "&sort=updated"}' $P/facets > $P/iat-list.txt
awk '{print "/items/usecases?filter[theme][_eq]=" $1 "&filter[status][_eq]=" $2 "&sort=-updated_at&limit=20"}' $P/facets > $P/dir-list.txt
# rare words: each matches one record of 100k (words of the real records
# the synthetic text model does not use); written without accents, so
# Directus's LIKE search finds them too
RARE="bioccia citoyennes confits immersion participations stacoptim"
for w in $RARE; do echo "/api/v1/usecases?q=$w"; done > $P/iat-rare.txt
for w in $RARE; do echo "/items/usecases?search=$w&limit=20"; done > $P/dir-rare.txt
# two frequent words (the 14 queries of bench/search2.lua, 800 to 24,000 matches)
FREQ="biodiversite+plantations velo+quartiers collecte+dechets cartographie+voirie crues+prevision
  deliberations+redaction donnees+ouvertes intelligence+artificielle jumeau+numerique coeur+ville
  energie+batiments qualite+air agents+collectivite fuites+eau"
for q in $FREQ; do echo "/api/v1/usecases?q=$q"; done > $P/iat-freq.txt
# one frequent word with a facet filter (theme), as the search page does
awk '{print $1}' $P/facets | sort -u > $P/themes
for q in donnees agents eau energie ville numerique; do
  while read -r t; do echo "/api/v1/usecases?q=$q&theme=$t"; done < $P/themes
done > $P/iat-facets.txt
# ---- issue 5 -----------------------------------------------------------
# the record page of the showcase (the record with the most reuses: 10
# indicators, 50 reuses, see cli_synth.c)
$Q "SELECT '/fiches/' || u.id || '-' || u.slug FROM usecase u WHERE u.id =
    (SELECT origin_id FROM usecase WHERE origin_id IS NOT NULL GROUP BY origin_id ORDER BY count(*) DESC LIMIT 1)" > $P/iat-showcase.txt
# "territoires comme le mien" for 2,000 organisations owning a public
# record (every kind and band, in hashed order), API and page
$Q "SELECT DISTINCT o.kind || '-' || o.code FROM usecase u JOIN organisation o ON o.id = u.owner_org_id
    WHERE u.visible = 1 ORDER BY (o.id * 2654435761) % 1000003 LIMIT 2000" > $P/reco-orgs
sed 's|.*|/api/v1/organisations/&/recommendations|' $P/reco-orgs > $P/iat-reco-api.txt
sed 's|.*|/territoires-comme-le-mien?organisation=&|' $P/reco-orgs > $P/iat-reco-page.txt
# the same with a theme filter (one theme per organisation, in rotation)
awk 'BEGIN { split("ecological_transition attractiveness citizenship health_solidarity mobility governance administration", t, " ") }
  { print "/api/v1/organisations/" $1 "/recommendations?theme=" t[NR % 7 + 1] }' $P/reco-orgs > $P/iat-reco-theme.txt
