-- wrk script: POST a subscribe with a new address every request.
-- One wrk thread (-t1) shares this counter; the random prefix keeps repeated runs on one database apart.
math.randomseed(os.time())
local prefix = string.format("%08x", math.random(0, 0x7fffffff))
local path = os.getenv("BENCH_PATH")
local key = os.getenv("BENCH_KEY")
local n = 0

request = function()
  n = n + 1
  local body = '{"api_key":"' .. key .. '","email":"w' .. prefix .. '-' .. n .. '@example.com","first_name":"Bench"}'
  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, body)
end
