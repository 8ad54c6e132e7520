#!/bin/sh
# bench/run.sh BUILD_DIR: run every benchmark and print figures and ratios.
set -eu
BUILD=${1:-build}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
"$BUILD/bench_check" "${BENCH_CHECKS:-1000000}" "${BENCH_RUNS:-7}"
echo
# screening (issue 4): generated 100k/1M names, CSL 2026-07-31, OFAC 2021-07, vs brute force and pg_trgm;
# BENCH_QUICK=1 runs the 100k set only.  Options: "$BUILD/bench_screen" --help
"$BUILD/bench_screen"
echo
# audit (issue 5): durable audited state transitions/s, one per commit and with group commit (xc_commitq),
# beside plain SQLite inserts; audit verify beside sha256sum over the exported log.  About 1 minute;
# BENCH_QUICK=1 scales it down (about 10 s).  Options: "$BUILD/bench_audit" --help
"$BUILD/bench_audit"
echo
# HTTP API (issue 6): wrk against `exportctl serve` (POST /v1/check with record=false and true, POST /v1/screen)
# beside nginx serving the same bytes; installs wrk and nginx when missing (as root), else skips.  About 3 minutes;
# BENCH_QUICK=1: one 3 s run per target.  See docs/http-bench.md.
sh "$(dirname "$0")/http.sh" "$BUILD"
