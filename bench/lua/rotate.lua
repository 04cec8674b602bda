-- wrk script: every request takes the next prepared examinee (cookie, CSRF token,
-- attempt), so the load is many people on many attempts, not one hot row.
-- BENCH_DATA: a Lua file returning {{c=cookie, t=token, a=attempt, s={submit_attempt, ...}}, ...}
-- BENCH_MODE: autosave | attempt | home | page | start | submit | get ; BENCH_PATH for
-- get (no cookie) and page (the person's cookie).
local items = dofile(os.getenv("BENCH_DATA"))
local mode = os.getenv("BENCH_MODE")
local exam = os.getenv("BENCH_EXAM") or "0"
local fixed_path = os.getenv("BENCH_PATH") or "/"
local counter = 0
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function init(args)
  counter = (tid or 0) * 100003
end

local function item()
  counter = counter + 1
  return items[(counter % #items) + 1]
end

function request()
  if mode == "get" then
    return wrk.format("GET", fixed_path)
  end
  local it = item()
  local h = { ["Cookie"] = it.c }
  if mode == "autosave" then
    h["Content-Type"] = "application/json"
    h["X-CSRFToken"] = it.t
    local body = string.format('{"position":%d,"answer":"A","seq":%d}',
      (counter % 20) + 1, counter * 4 + (tid or 0))
    return wrk.format("POST", "/exams/attempts/" .. it.a .. "/answer", h, body)
  elseif mode == "attempt" then
    return wrk.format("GET", "/exams/attempts/" .. it.a, h)
  elseif mode == "home" then
    return wrk.format("GET", "/", h)
  elseif mode == "page" then
    return wrk.format("GET", fixed_path, h)
  elseif mode == "start" then
    h["X-CSRFToken"] = it.t
    h["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", "/exams/" .. exam .. "/start", h, "")
  elseif mode == "submit" then
    h["X-CSRFToken"] = it.t
    h["Content-Type"] = "application/x-www-form-urlencoded"
    -- it.s: the person's attempts to submit, one per round of the list of people
    local round = math.floor(counter / #items) % #it.s + 1
    return wrk.format("POST", "/exams/attempts/" .. it.s[round] .. "/submit", h, "")
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"status_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
