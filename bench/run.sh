#!/bin/sh
# bench/run.sh BUILD_DIR: run every benchmark and print figures and ratios.
set -eu
BUILD=${1:-build}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
"$BUILD/bench_check" "${BENCH_CHECKS:-1000000}" "${BENCH_RUNS:-7}"
