-- bench/http_post_dates.lua: wrk script of bench/http.sh: like http_post.lua, but every request
-- carries another date (2,000 consecutive days from 2020-01-01, in turn), replacing the string
-- DATE in $XC_BODY, so that the server's per-thread answer caches (256 answers per thread) miss
-- and every answer is built.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("XC_TOKEN") or "")
local template = os.getenv("XC_BODY") or "{}"
local base = os.time({year = 2020, month = 1, day = 1, hour = 12})
local i = 0
function request()
   i = (i + 1) % 2000
   local body = string.gsub(template, "DATE", os.date("!%Y-%m-%d", base + i * 86400))
   return wrk.format(nil, nil, nil, body)
end
dofile((os.getenv("XC_BENCH_DIR") or "bench") .. "/http_report.lua")
