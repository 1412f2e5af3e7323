-- GET /api/products/{id} over a set of ids given after "--".
dofile(os.getenv("BENCH_DIR") .. "/statuses.lua")
local ids = {}

function load_args(args)
  for id in string.gmatch(args[1], "[^,]+") do table.insert(ids, id) end
end

function request()
  return wrk.format("GET", "/api/products/" .. ids[math.random(#ids)])
end
