-- wrk script: two-word French searches (one frequent + one rarer word,
-- accents and no accents), rotating over a fixed list.
local queries = {
  "fuites%20eau", "velo%20quartiers", "donnees%20ouvertes", "energie%20batiments",
  "coeur%20ville", "transcription%20conseils", "collecte%20tournees", "qualite%20air",
  "urbanisme%20demandes", "piscines%20frequentation", "arbres%20inventaire", "crues%20prevision",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/usecases?q=" .. queries[(i % #queries) + 1])
end
