-- wrk script: cycle through a request mix built from the shared bench queries.
-- Usage: wrk -t2 -c64 -d60s -s scripts/load.lua http://127.0.0.1:8080  (QUERIES=path/to/queries.txt)
local paths = {}
local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local file = os.getenv("QUERIES") or "../shared/bench/queries.txt"
local i = 0
for line in io.lines(file) do
  if #line > 0 then
    local q = urlencode(line)
    i = i + 1
    table.insert(paths, "/api/search?q=" .. q)
    if i % 4 == 0 then table.insert(paths, "/api/search?q=" .. q .. "&sort=date") end
    if i % 5 == 0 then table.insert(paths, "/api/search?q=" .. q .. "&page=3") end
    if i % 6 == 0 then table.insert(paths, "/api/suggest?q=" .. q) end
    if i % 7 == 0 then table.insert(paths, "/search?q=" .. q) end
  end
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
local errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("requests %d, non-200 %d, socket errors %d, p50 %.2f ms, p99 %.2f ms, %.0f req/s\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
