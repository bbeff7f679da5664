-- wrk script: two-word French searches over the synthetic corpus (words
-- written without accents, as people type them; the last one is a prefix
-- query, as in the search box), rotating over a fixed list that mixes
-- rarer and frequent words.
local queries = {
  "biodiversite%20plantations", "velo%20quartiers", "collecte%20dechets", "cartographie%20voirie",
  "crues%20prevision", "deliberations%20redaction", "donnees%20ouvertes", "intelligence%20artificielle",
  "jumeau%20numerique", "coeur%20ville", "energie%20batiments", "qualite%20air",
  "agents%20collectivite", "fuites%20eau",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/usecases?q=" .. queries[(i % #queries) + 1])
end
