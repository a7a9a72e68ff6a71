-- wrk script: posts one fixed JSON-RPC body (RPC_BODY) over keep-alive HTTP and counts answers
-- that are not a JSON-RPC result (an "error" member or no "result"): they must be zero.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("RPC_BODY") or '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'

-- Each thread has its own Lua state and done() runs in the main one: collect the threads here
-- and read their counters through thread:get.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

good = 0
bad = 0
first_bad = ""
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"result"', 1, true) or string.find(body, '"error"', 1, true) then
    bad = bad + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(body, 1, 300) end
  else
    good = good + 1
  end
end

function done(summary, latency, requests)
  local good_total, bad_total = 0, 0
  for _, thread in ipairs(threads) do
    good_total = good_total + thread:get("good")
    bad_total = bad_total + thread:get("bad")
    local first = thread:get("first_bad")
    if first ~= "" then io.write("first_bad " .. first .. "\n") end
  end
  io.write(string.format("good_answers %d bad_answers %d\n", good_total, bad_total))
end
