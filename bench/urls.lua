-- urls.lua — wrk script shared by every scenario and every server of
-- `make bench`: GET the paths listed in the file named by BENCH_URLS
-- (one per line), in rotation. Each wrk thread starts at its own offset so
-- threads do not ask for the same path at the same moment. The same list
-- (same ids, same queries) is given to IA·T and to its peers, written by
-- bench/run.sh from the benchmark database.
local file = os.getenv("BENCH_URLS") or error("BENCH_URLS not set")
local paths = {}
for line in io.lines(file) do
  if #line > 0 then paths[#paths + 1] = line end
end
if #paths == 0 then error("no path in " .. file) end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local i
function init(args)
  i = ((tid or 1) - 1) * 7919
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
