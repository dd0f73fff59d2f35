-- GET /recommendations/{user}?n=10 for users 1..USERS in turn, one sequence per thread.
local users = tonumber(os.getenv("ORRERY_BENCH_USERS") or "2999")
local counter = 0

function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end

local i = 0
request = function()
  i = i + 1
  local user = (offset + i) % users + 1
  return wrk.format("GET", "/recommendations/" .. user .. "?n=10")
end

function done(summary, latency, requests)
  io.write(string.format(
    "JSON {\"requests\":%d,\"seconds\":%.3f,\"errors\":%d,\"non2xx\":%d,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3))
end
