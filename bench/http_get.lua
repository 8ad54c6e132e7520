-- bench/http_get.lua: wrk script of bench/http.sh for nginx: GET the static file that holds the
-- same bytes as the exportctl answer being compared.
wrk.method = "GET"
dofile((os.getenv("XC_BENCH_DIR") or "bench") .. "/http_report.lua")
