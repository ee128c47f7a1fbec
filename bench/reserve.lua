-- wrk script: POST /reservations {"userId":N,"vaccineId":ID}, N counting up per thread.
-- VACCINE_ID (env) is the lot to reserve from; USER_BASE (env) offsets the user ids.
local vaccine = os.getenv("VACCINE_ID") or "1"
local n = tonumber(os.getenv("USER_BASE") or "0")
local headers = { ["Content-Type"] = "application/json" }

request = function()
  n = n + 1
  return wrk.format("POST", "/reservations", headers,
                    '{"userId":' .. n .. ',"vaccineId":' .. vaccine .. '}')
end

done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f " ..
    "connect_err=%d read_err=%d write_err=%d timeout_err=%d non2xx=%d\n",
    summary.requests, s, summary.requests / s,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
