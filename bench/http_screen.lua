-- bench/http_screen.lua: wrk script of bench/http.sh: POST /v1/screen of one name against the
-- party-list snapshots in force on the date.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("XC_TOKEN") or "")
wrk.body = '{"name": "Positive Technologies", "date": "2021-09-01"}'
dofile((os.getenv("XC_BENCH_DIR") or "bench") .. "/http_report.lua")
