-- wrk script: replay a list of requests (one per line: METHOD \t path \t cookie \t body),
-- each at most once, count answers other than the expected status, and print a JSON summary.
-- Usage: wrk -s requests.lua URL -- FILE EXPECTED_STATUS
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  for line in io.lines(args[1]) do
    local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    if cookie ~= "" then headers["Cookie"] = cookie end
    if body ~= "" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    else
      body = nil
    end
    table.insert(lines, wrk.format(method, path, headers, body))
  end
  expected = tonumber(args[2])
  position = 0
  unexpected = 0
  exhausted = 0
  first_unexpected = 0
end

function request()
  position = position + 1
  if position > #lines then
    -- A list that runs out repeats itself: counted, and the run is reported as invalid.
    exhausted = exhausted + 1
    return lines[((position - 1) % #lines) + 1]
  end
  return lines[position]
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
    if first_unexpected == 0 then first_unexpected = status end
  end
end

function done(summary, latency, requests)
  local unexpected_total, exhausted_total, first = 0, 0, 0
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + thread:get("unexpected")
    exhausted_total = exhausted_total + thread:get("exhausted")
    if first == 0 then first = thread:get("first_unexpected") end
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %f, '
    .. '"unexpected_status": %d, "first_unexpected": %d, "exhausted": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, unexpected_total, first, exhausted_total,
    errors.connect + errors.read + errors.write + errors.timeout))
end
