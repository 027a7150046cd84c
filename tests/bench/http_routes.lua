-- wrk script for tests/bench/test_bench_http.py: one route per run, every answer checked.
--
-- wrk http://127.0.0.1:PORT -s http_routes.lua -- MODE EXPECTED RUN AUTH [TOKENS] [BASE_EPOCH]
--   MODE      get | checkin | urge | insert
--   EXPECTED  the only status counted as a success (wrk itself counts a 3xx as one)
--   RUN       a number that makes this run's ids differ from every other run's
--   AUTH      the header line for get (e.g. "Cookie: sessionid=..."), or "-"
--   TOKENS    checkin/urge: comma-separated API tokens, one per wrk thread (a check-in is one
--             per participant and day, so each thread writes for its own participant)
--   BASE_EPOCH checkin: a noon (UTC, seconds) a week before today; request n is for n days earlier
--
-- done() prints one line the benchmark parses:
--   RESULT requests=N duration_us=N p50_us=N p99_us=N bad=N socket_errors=N first_bad=STATUS

local threads = {}
local next_id = 1

function setup(thread)
   thread:set("thread_id", next_id)
   table.insert(threads, thread)
   next_id = next_id + 1
end

function init(args)
   mode = args[1]
   expected = tonumber(args[2])
   run = tonumber(args[3])
   auth = args[4]
   if args[5] and args[5] ~= "" then
      local list = {}
      for token in string.gmatch(args[5], "[^,]+") do table.insert(list, token) end
      token = list[thread_id]
      assert(token, "one token per thread is needed")
   end
   base_epoch = tonumber(args[6] or "0")
   math.randomseed(os.time() * 1000 + thread_id * 7919 + run)
   n = 0
   bad = 0
   first_bad = 0
   headers = {}
   for name, value in pairs(wrk.headers) do headers[name] = value end
   if auth ~= "-" then
      local name, value = string.match(auth, "^([^:]+):%s*(.*)$")
      headers[name] = value
   end
   if token then headers["Authorization"] = "Bearer " .. token end
   if mode ~= "get" then headers["Content-Type"] = "application/json" end
end

-- A version 4 UUID that no other request of any run has: random bits, then the thread, the
-- run and this thread's request number.
local function uuid()
   return string.format("%08x-%04x-4%03x-8%03x-%04x%08x",
      math.random(0, 0x7fffffff), math.random(0, 0xffff), math.random(0, 0xfff),
      thread_id % 0x1000, run % 0x10000, n)
end

function request()
   n = n + 1
   if mode == "get" then
      return wrk.format("GET", wrk.path, headers)
   elseif mode == "checkin" then
      local day = os.date("!%Y-%m-%d", base_epoch - n * 86400)
      local body = string.format(
         '{"date":"%s","in_bed_at":"23:10","final_wake_at":"06:55","sleep_quality":4,"stress":3,"mood":4}', day)
      return wrk.format("PUT", "/api/v1/checkins/" .. uuid() .. "/", headers, body)
   elseif mode == "urge" then
      local body = '{"occurred_at":"' .. os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 3600) ..
         '","intensity":4,"duration_min":15,"triggers":[],"helped":[],"outcome":"passed"}'
      return wrk.format("PUT", "/api/v1/urges/" .. uuid() .. "/", headers, body)
   else -- insert: the same body as a check-in, into the bare server's one-INSERT route
      local body = string.format(
         '{"date":"%s","in_bed_at":"23:10","final_wake_at":"06:55","sleep_quality":4,"stress":3,"mood":4}',
         os.date("!%Y-%m-%d", os.time()))
      return wrk.format("PUT", "/insert/" .. uuid() .. "/", headers, body)
   end
end

function response(status, headers, body)
   if status ~= expected then
      bad = bad + 1
      if first_bad == 0 then first_bad = status end
   end
end

function done(summary, latency, requests)
   local total_bad, seen = 0, 0
   for _, thread in ipairs(threads) do
      total_bad = total_bad + thread:get("bad")
      if seen == 0 then seen = thread:get("first_bad") end
   end
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d bad=%d socket_errors=%d first_bad=%d\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      total_bad, e.connect + e.read + e.write + e.timeout, seen))
end
