#!/bin/sh
# bench/http.sh BUILD_DIR: the HTTP API under load (issue 6).  wrk against `exportctl serve` for
# POST /v1/check (record=false), POST /v1/check (record=true: durable decisions through the group-
# commit queue) and POST /v1/screen, and against nginx serving a static file holding exactly the
# bytes of each answer; prints requests/s, p99 latency and the ratio to nginx (target >= 0.5).
#
# Installs wrk and nginx with apt-get when missing and run as root; otherwise prints the apt line
# and skips.  Environment: BENCH_HTTP_RUNS (default 3; the median is reported), BENCH_HTTP_DURATION
# (default 10s), BENCH_QUICK=1 (1 run of 3s), BENCH_HTTP_THREADS (server threads, default 0: the server's own default),
# BENCH_HTTP_KEEP=1 (keep the temporary directory).  See docs/http-bench.md.
set -eu
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
EXPORTCTL=$(cd "$BUILD" && pwd)/exportctl
[ -x "$EXPORTCTL" ] || { echo "http bench: $EXPORTCTL not found (build first)" >&2; exit 1; }

NGINX=$(command -v nginx || true)
[ -n "$NGINX" ] || [ ! -x /usr/sbin/nginx ] || NGINX=/usr/sbin/nginx
missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
[ -n "$NGINX" ] || missing="$missing nginx-light"
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "http bench: installing$missing"
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; then
            apt-get update >/dev/null 2>&1 || true
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
                echo "http bench: skipped: apt-get install$missing failed"
                exit 0
            }
        fi
        NGINX=$(command -v nginx || echo /usr/sbin/nginx)
    else
        echo "http bench: skipped: needs$missing; install with: sudo apt-get install -y$missing"
        exit 0
    fi
fi

RUNS=${BENCH_HTTP_RUNS:-3}
DUR=${BENCH_HTTP_DURATION:-10s}
if [ "${BENCH_QUICK:-}" = 1 ]; then RUNS=1; DUR=3s; fi
THREADS=${BENCH_HTTP_THREADS:-0}
WRK="wrk -t2 -c32 -d$DUR --latency"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/exportctl-http-bench-XXXXXX")
SRV=""
NGX=""
cleanup() {
    [ -z "$SRV" ] || kill "$SRV" 2>/dev/null || true
    [ -z "$NGX" ] || kill -QUIT "$NGX" 2>/dev/null || true
    [ -z "$SRV" ] || wait "$SRV" 2>/dev/null || true
    [ -z "$NGX" ] || wait "$NGX" 2>/dev/null || true
    if [ "${BENCH_HTTP_KEEP:-}" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- a database with the bundled data, an officer and its token ----
DB=$TMP/bench.db
"$EXPORTCTL" --db "$DB" --as root user add bench-admin --role admin >/dev/null
"$EXPORTCTL" --db "$DB" --as bench-admin user add bench-officer --role officer >/dev/null
TOKEN=$("$EXPORTCTL" --db "$DB" --as bench-admin token create --user bench-officer --label bench | tail -n 1 |
    awk '{print $NF}')

# ---- exportctl serve on a free loopback port ----
"$EXPORTCTL" --db "$DB" serve --listen 127.0.0.1:0 --threads "$THREADS" --quiet >"$TMP/serve.out" 2>"$TMP/serve.err" &
SRV=$!
i=0
until grep -q '^listening on http://' "$TMP/serve.out" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$SRV" 2>/dev/null; then
        echo "http bench: exportctl serve did not start:" >&2
        cat "$TMP/serve.err" >&2
        exit 1
    fi
    sleep 0.1
done
PORT=$(sed -n 's/^listening on http:\/\/.*:\([0-9]*\)$/\1/p' "$TMP/serve.out")
API=http://127.0.0.1:$PORT

# ---- the bodies, and nginx serving each answer as a static file ----
CHECK='{"regime": "il", "item": "4D004", "to": "MA", "activity": "marketing", "end_user_type": "government", "date": "2021-11-26", "record": false}'
CHECK_REC='{"regime": "il", "item": "4D004", "to": "MA", "activity": "marketing", "end_user_type": "government", "date": "2021-11-26", "record": true}'
SCREEN='{"name": "Positive Technologies"}'
# the same check on 2,000 different dates (http_post_dates.lua): every answer built, none cached
CHECK_DATES='{"regime": "il", "item": "4D004", "to": "MA", "activity": "marketing", "end_user_type": "government", "date": "DATE", "record": false}'
mkdir -p "$TMP/www" "$TMP/nginx"
fetch() { # fetch NAME PATH BODY: the answer's exact bytes into www/NAME
    code=$(curl -s -o "$TMP/www/$1" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $TOKEN" --data-binary "$3" "$API$2")
    [ "$code" = 200 ] || { echo "http bench: POST $2 answered $code: $(cat "$TMP/www/$1")" >&2; exit 1; }
}
fetch check.json /v1/check "$CHECK"
fetch check-recorded.json /v1/check "$CHECK_REC"
fetch screen.json /v1/screen "$SCREEN"
chmod 755 "$TMP" "$TMP/www"
chmod 644 "$TMP/www"/*

USER_LINE=""
[ "$(id -u)" != 0 ] || USER_LINE="user $(id -un);"
for try in 1 2 3 4 5 6 7 8 9 10; do
    NPORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
    cat >"$TMP/nginx/nginx.conf" <<CONF
$USER_LINE
worker_processes $(nproc);
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    types { application/json json; }
    server {
        listen 127.0.0.1:$NPORT;
        root $TMP/www;
    }
}
CONF
    "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2>>"$TMP/nginx/start.log" &
    NGX=$!
    sleep 0.3
    if kill -0 "$NGX" 2>/dev/null && curl -sf -o /dev/null "http://127.0.0.1:$NPORT/check.json"; then
        break
    fi
    kill -QUIT "$NGX" 2>/dev/null || true
    wait "$NGX" 2>/dev/null || true
    NGX=""
done
[ -n "$NGX" ] || { echo "http bench: nginx did not start:" >&2; cat "$TMP/nginx/start.log" "$TMP/nginx/error.log" >&2; exit 1; }
STATIC=http://127.0.0.1:$NPORT

# ---- runs ----
export XC_BENCH_DIR="$HERE" XC_TOKEN="$TOKEN"
RES=$TMP/results
: >"$RES"
run_wrk() { # run_wrk CASE SIDE [wrk args...]: appends "CASE SIDE rps p99 p50 errors"
    c=$1
    s=$2
    shift 2
    out=$($WRK "$@" 2>&1) || { echo "$out" >&2; exit 1; }
    line=$(echo "$out" | grep '^XCBENCH' || true)
    [ -n "$line" ] || { echo "http bench: no result from wrk $*:" >&2; echo "$out" >&2; exit 1; }
    rps=$(echo "$line" | sed 's/.*rps=\([0-9.]*\).*/\1/')
    p99=$(echo "$line" | sed 's/.*p99_ms=\([0-9.]*\).*/\1/')
    p50=$(echo "$line" | sed 's/.*p50_ms=\([0-9.]*\).*/\1/')
    err=$(echo "$line" | sed 's/.*errors=\([0-9]*\).*/\1/')
    echo "$c $s $rps $p99 $p50 $err" >>"$RES"
    [ "$err" = 0 ] || echo "  warning: $c ($s): $err failed or non-2xx requests" >&2
}
cases="check check-uncached check-recorded screen"
for r in $(seq 1 "$RUNS"); do
    for c in $cases; do
        case $c in
        check) body=$CHECK path=/v1/check ;;
        check-uncached) body=$CHECK_DATES path=/v1/check ;;
        check-recorded) body=$CHECK_REC path=/v1/check ;;
        screen) body=$SCREEN path=/v1/screen ;;
        esac
        if [ "$c" = check-uncached ]; then
            # nginx: the same-size answer (the 2021-11-26 one) as a static file
            XC_BODY=$body run_wrk "$c" api -s "$HERE/http_post_dates.lua" "$API$path"
            run_wrk "$c" nginx -s "$HERE/http_get.lua" "$STATIC/check.json"
        else
            XC_BODY=$body run_wrk "$c" api -s "$HERE/http_post.lua" "$API$path"
            run_wrk "$c" nginx -s "$HERE/http_get.lua" "$STATIC/$c.json"
        fi
    done
    echo "  run $r of $RUNS done" >&2
done

# ---- report ----
median() { sort -n | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }
pick() { awk -v c="$1" -v s="$2" -v k="$3" '$1==c && $2==s {print $k}' "$RES" | median; }
NGV=$("$NGINX" -v 2>&1 | sed 's/.*nginx\///')
echo "HTTP API: exportctl serve --threads $THREADS vs nginx $NGV ($(nproc) workers) serving the same bytes as a static file"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); wrk -t2 -c32 -d$DUR, median of $RUNS run(s), loopback"
printf '%-34s %8s %12s %9s %12s %9s %7s\n' request bytes "api req/s" "api p99" "nginx req/s" "nginx p99" ratio
for c in $cases; do
    case $c in
    check) label="POST /v1/check (record=false)" ;;
    check-uncached) label="POST /v1/check (2,000 dates)" ;;
    check-recorded) label="POST /v1/check (record=true)" ;;
    screen) label="POST /v1/screen" ;;
    esac
    a=$(pick "$c" api 3)
    ap=$(pick "$c" api 4)
    n=$(pick "$c" nginx 3)
    np=$(pick "$c" nginx 4)
    ratio=$(awk -v a="$a" -v n="$n" 'BEGIN {printf "%.2f", (n > 0) ? a / n : 0}')
    f=$TMP/www/$c.json
    [ "$c" = check-uncached ] && f=$TMP/www/check.json
    printf '%-34s %8s %12.0f %7.2fms %12.0f %7.2fms %7s\n' "$label" "$(wc -c <"$f" | tr -d ' ')" \
        "$a" "$ap" "$n" "$np" "$ratio"
done
echo "(ratio = exportctl req/s / nginx req/s for the same body; target >= 0.5)"

# ---- stop: SIGTERM drains and exits 0 ----
kill "$SRV"
if wait "$SRV"; then :; else echo "http bench: exportctl serve exited $? on SIGTERM" >&2; fi
SRV=""
