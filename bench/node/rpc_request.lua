-- wrk script: posts one fixed JSON-RPC body (RPC_BODY) over keep-alive HTTP and counts answers
-- that are not a JSON-RPC result (an "error" member or no "result"): they must be zero.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("RPC_BODY") or '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'

local bad = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"result"', 1, true) or string.find(body, '"error"', 1, true) then
    bad = bad + 1
  end
end

done = function(summary, latency, requests)
  -- Each thread has its own Lua state: sum the threads' counters through `bad` per thread.
  io.write(string.format("bad_answers_in_last_thread %d\n", bad))
end
