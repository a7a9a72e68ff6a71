-- wrk script: each thread posts every line of $TRANSFERS_DIR/transfers_<thread>.txt (one JSON-RPC
-- eth_sendRawTransaction body per line, written by bench_node_loadgen) exactly once, in order,
-- and checks that each answer is a transaction hash. A thread that has sent all its lines sends
-- cheap eth_blockNumber calls until its last transaction is answered, then stops itself.
-- (wrk's main thread still sleeps for -d: run_side_by_side.sh interrupts wrk once all are mined.)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local threads = {}
local next_thread_id = 0

function setup(thread)
  thread:set("id", next_thread_id)
  next_thread_id = next_thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  local dir = os.getenv("TRANSFERS_DIR") or "."
  local path = dir .. "/transfers_" .. id .. ".txt"
  local file = io.open(path, "r")
  if not file then
    error("cannot open " .. path)
  end
  for line in file:lines() do
    if #line > 0 then table.insert(lines, line) end
  end
  file:close()
  line_count = #lines
  sent = 0
  accepted = 0      -- answers that are a transaction hash
  rejected = 0      -- answers to eth_sendRawTransaction that are not
  other_answers = 0 -- answers to the filler eth_blockNumber calls
  first_rejection = ""
  filler = wrk.format("POST", "/", nil, '{"jsonrpc":"2.0","id":2,"method":"eth_blockNumber","params":[]}')
  -- wrk 4.1 calls request() once on thread 0's state right after init to probe the script
  -- (script_verify_request) and never sends that request: give it the filler, not a transaction.
  probe_pending = (id == 0)
end

function request()
  if probe_pending then
    probe_pending = false
    return filler
  end
  if sent < #lines then
    sent = sent + 1
    return wrk.format("POST", "/", nil, lines[sent])
  end
  return filler
end

function response(status, headers, body)
  -- A transaction hash result is "0x" and 64 hex digits; the filler's block number is shorter.
  local hash = string.match(body, '"result"%s*:%s*"(0x%x+)"')
  if status == 200 and hash and #hash == 66 and not string.find(body, '"error"', 1, true) then
    accepted = accepted + 1
  elseif status == 200 and hash and not string.find(body, '"error"', 1, true) then
    other_answers = other_answers + 1
  else
    rejected = rejected + 1
    if first_rejection == "" then first_rejection = status .. " " .. string.sub(body, 1, 300) end
  end
  if accepted + rejected >= #lines then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total_lines, total_accepted, total_rejected = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_lines = total_lines + thread:get("line_count")
    total_accepted = total_accepted + thread:get("accepted")
    total_rejected = total_rejected + thread:get("rejected")
    local first = thread:get("first_rejection")
    if first ~= "" then io.write("first_rejection " .. first .. "\n") end
  end
  io.write(string.format("transfers_lines %d accepted %d rejected %d\n", total_lines, total_accepted, total_rejected))
end
