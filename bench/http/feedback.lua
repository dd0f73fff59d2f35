-- POST /recommendations/feedback: positive, negative or neutral feedback from random users
-- on random movies, each a new event.
local users = tonumber(os.getenv("ORRERY_BENCH_USERS") or "2999")
-- Item ids, one per line, from the file ORRERY_BENCH_ITEMS names.
local items = {}
for line in io.lines(os.getenv("ORRERY_BENCH_ITEMS")) do
  items[#items + 1] = line
end
local counter = 0
local kinds = { "positive", "negative", "neutral" }

function setup(thread)
  thread:set("seed", counter + 1)
  counter = counter + 1
end

function init(args)
  math.randomseed(seed)
end

request = function()
  local body = string.format(
    "{\"user_id\":\"%d\",\"content_id\":\"%s\",\"feedback_type\":\"%s\"}",
    math.random(users), items[math.random(#items)], kinds[math.random(3)])
  return wrk.format("POST", "/recommendations/feedback",
    { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    "JSON {\"requests\":%d,\"seconds\":%.3f,\"errors\":%d,\"non2xx\":%d,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3))
end
