-- bench/http_post.lua: wrk script of bench/http.sh: POST the JSON body in $XC_BODY with the bearer
-- token in $XC_TOKEN (http.sh holds the bodies, so that the static copy served by nginx is fetched
-- with exactly the same request).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("XC_TOKEN") or "")
wrk.body = os.getenv("XC_BODY") or "{}"
dofile((os.getenv("XC_BENCH_DIR") or "bench") .. "/http_report.lua")
