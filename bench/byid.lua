-- wrk script: GET /api/v1/usecases/{random id in 1..N}; N from env IAT_N.
local n = tonumber(os.getenv("IAT_N") or "100000")
math.randomseed(42)
request = function()
  return wrk.format("GET", "/api/v1/usecases/" .. math.random(1, n))
end
