-- wrk script: POSTs AdmissionReview bodies read from the files named in $WRK_BODIES
-- (space-separated). One file: a static request (no Lua per request, so wrk spends its share of
-- the CPU on the connection only). Several files: rotated request by request.
--   WRK_BODIES="a.json b.json" WRK_SUMMARY=out.txt wrk -s bench/post.lua https://127.0.0.1:18443/mutate
-- At the end it writes a machine-readable summary to $WRK_SUMMARY (key=value lines).
local function read(path)
  local f = assert(io.open(path, "rb"), "cannot open " .. path)
  local data = f:read("*a")
  f:close()
  return data
end

local bodies = {}
for path in string.gmatch(os.getenv("WRK_BODIES") or "", "%S+") do
  bodies[#bodies + 1] = read(path)
end
assert(#bodies > 0, "post.lua: set WRK_BODIES to one or more body files")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = bodies[1]

if #bodies > 1 then
  local counter = 0
  function request()
    counter = counter + 1
    return wrk.format(nil, nil, nil, bodies[(counter % #bodies) + 1])
  end
end

-- $WRK_DELAY_MS: a pause before each request on a connection, so the load is a steady rate well
-- below saturation (connections x 1000 / delay requests/s) and the latency is the server's, not
-- the run queue's.
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "")
if delay_ms then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, requests)
  local out = os.getenv("WRK_SUMMARY")
  if not out then return end
  local f = assert(io.open(out, "w"))
  local seconds = summary.duration / 1e6
  local e = summary.errors
  f:write(string.format("requests=%d\n", summary.requests))
  f:write(string.format("seconds=%.3f\n", seconds))
  f:write(string.format("rps=%.0f\n", summary.requests / seconds))
  f:write(string.format("p50_ms=%.3f\n", latency:percentile(50) / 1000))
  f:write(string.format("p90_ms=%.3f\n", latency:percentile(90) / 1000))
  f:write(string.format("p99_ms=%.3f\n", latency:percentile(99) / 1000))
  f:write(string.format("max_ms=%.3f\n", latency.max / 1000))
  f:write(string.format("non2xx=%d\n", e.status))
  f:write(string.format("socket_errors=%d\n", e.connect + e.read + e.write + e.timeout))
  f:close()
end
