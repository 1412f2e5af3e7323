-- GET <path prefix><id> over a set of ids: after "--", the prefix (e.g. /api/products/) and the ids, comma-separated.
dofile(os.getenv("BENCH_DIR") .. "/statuses.lua")
local prefix
local ids = {}

function load_args(args)
  prefix = args[1]
  for id in string.gmatch(args[2], "[^,]+") do table.insert(ids, id) end
end

function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)])
end
