-- bench/http_check.lua: wrk script of bench/http.sh: POST /v1/check, not recorded (record=false).
-- The bearer token comes from $XC_TOKEN.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("XC_TOKEN") or "")
wrk.body = '{"regime": "il", "item": "4D004", "to": "MA", "activity": "marketing", '
   .. '"end_user_type": "government", "date": "2021-11-26", "record": false}'
dofile((os.getenv("XC_BENCH_DIR") or "bench") .. "/http_report.lua")
