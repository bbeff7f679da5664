-- soak.lua — wrk script of `make soak` (bench/soak.sh): a mix of reads and
-- writes, at saturation, with a count of replies by kind and status.
-- Per 100 requests: 40 records by id (JSON), 15 record pages, 10 filtered
-- lists, 12 searches (rare and frequent words), 5 organisation pages,
-- 15 PATCH of a record's summary with an API token (Authorization:
-- Bearer, tokens from SOAK_TOKENS), 3 sign-ins (POST /connexion with the
-- CSRF cookie and field; the token comes from the reply to a GET
-- /connexion of the same thread, and each sign-in has its own
-- X-Forwarded-For address, trusted from loopback, so the per-address
-- throttle never trips: a 429 is an error here).
-- Path lists come from bench/run.sh (var/bench-paths). Expected non-2xx:
-- 303 after a sign-in (and the first GET /connexion gives 200).
local P = os.getenv("SOAK_PATHS") or "var/bench-paths"
local function lines(f)
  local t = {}
  for l in io.lines(f) do if #l > 0 then t[#t + 1] = l end end
  return t
end
local byid, pages, lists = lines(P .. "/iat-byid.txt"), lines(P .. "/iat-page.txt"), lines(P .. "/iat-list.txt")
local rare, freq, orgs = lines(P .. "/iat-rare.txt"), lines(P .. "/iat-freq.txt"), lines(P .. "/iat-org.txt")
local ids = lines(P .. "/ids")
local tokens = {}
for t in string.gmatch(os.getenv("SOAK_TOKENS") or "", "%S+") do tokens[#tokens + 1] = t end
local accounts = {}
for a in string.gmatch(os.getenv("SOAK_ACCOUNTS") or "", "%S+") do accounts[#accounts + 1] = a end
local password = os.getenv("SOAK_PASSWORD") or ""

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("tid", #threads)
end

local n, csrf = 0, nil
counts = {}   -- status -> n (global: done() reads it with thread:get)
local plan = {}
for _ = 1, 40 do plan[#plan + 1] = "byid" end
for _ = 1, 15 do plan[#plan + 1] = "page" end
for _ = 1, 10 do plan[#plan + 1] = "list" end
for _ = 1, 6 do plan[#plan + 1] = "rare" end
for _ = 1, 6 do plan[#plan + 1] = "freq" end
for _ = 1, 5 do plan[#plan + 1] = "org" end
for _ = 1, 15 do plan[#plan + 1] = "patch" end
for _ = 1, 3 do plan[#plan + 1] = "signin" end

function init(args)
  n = (tid or 1) * 7919
  math.randomseed(tid or 1)
  -- shuffle the plan so kinds interleave
  for i = #plan, 2, -1 do local j = math.random(i); plan[i], plan[j] = plan[j], plan[i] end
end

local function pick(t) return t[(n % #t) + 1] end

function request()
  n = n + 1
  local kind = plan[(n % #plan) + 1]
  if kind == "signin" and not csrf then kind = "signin-form" end
  if kind == "byid" then return wrk.format("GET", pick(byid)) end
  if kind == "page" then return wrk.format("GET", pick(pages)) end
  if kind == "list" then return wrk.format("GET", pick(lists)) end
  if kind == "rare" then return wrk.format("GET", pick(rare)) end
  if kind == "freq" then return wrk.format("GET", pick(freq)) end
  if kind == "org" then return wrk.format("GET", pick(orgs)) end
  if kind == "signin-form" then return wrk.format("GET", "/connexion") end
  if kind == "patch" then
    local body = string.format('{"summary":"Résumé mis à jour pendant l\'essai d\'endurance, passage %d, fil %d."}', n, tid)
    return wrk.format("PATCH", "/api/v1/usecases/" .. pick(ids),
      { ["Authorization"] = "Bearer " .. pick(tokens), ["Content-Type"] = "application/json" }, body)
  end
  -- signin
  local ip = string.format("10.%d.%d.%d", tid, math.floor(n / 65536) % 256, n % 65536 % 256)
  local acct = accounts[(n % #accounts) + 1]
  local body = "email=" .. acct:gsub("@", "%%40") .. "&password=" .. password .. "&csrf=" .. csrf
  return wrk.format("POST", "/connexion", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "iat_csrf=" .. csrf,
    ["X-Forwarded-For"] = ip,
  }, body)
end

-- wrk's response() does not say which request a reply answers (the
-- connections of a thread interleave), so replies are counted by status;
-- the CSRF token is taken from any reply that sets the cookie.
function response(status, headers, body)
  local c = headers["Set-Cookie"] or headers["set-cookie"]
  if c then
    local v = c:match("iat_csrf=([^;]+)")
    if v then csrf = v end
  end
  local k = tostring(status)
  counts[k] = (counts[k] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  local keys = {}
  for k in pairs(total) do keys[#keys + 1] = k end
  table.sort(keys)
  io.write("SOAK-COUNTS")
  for _, k in ipairs(keys) do io.write(string.format(" %s=%d", k, total[k])) end
  io.write("\n")
  io.write(string.format("SOAK-SUMMARY requests=%d errors=%d p50_us=%d p99_us=%d max_us=%d\n", summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
