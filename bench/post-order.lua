-- POST /api/orders: a random user and product from the lists given after "--", one unit each, with a unique
-- Idempotency-Key per request (as a careful client sends).
dofile(os.getenv("BENCH_DIR") .. "/statuses.lua")
local users, products = {}, {}
local counter = 0

function load_args(args)
  for id in string.gmatch(args[1], "[^,]+") do table.insert(users, id) end
  for id in string.gmatch(args[2], "[^,]+") do table.insert(products, id) end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  counter = counter + 1
  local body = string.format('{"userId":"%s","items":[{"productId":"%s","quantity":1}]}',
    users[math.random(#users)], products[math.random(#products)])
  return wrk.format("POST", "/api/orders", {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", os.time(), math.random(1e9), counter),
  }, body)
end
