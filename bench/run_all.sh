#!/bin/sh
# Runs every benchmark and prints their CSV rows. --smoke: small sizes (CI).
# Run from the build directory's bench/ folder or give its path.
set -e
here=$(dirname "$0")
if [ "${1:-}" = "--smoke" ]; then
  "$here/bench_roster" 200000 1
  "$here/bench_plan" default 1
  "$here/bench_otc" 3
  "$here/bench_decode" 300000 1
  "$here/bench_sim" 20 1
  "$here/bench_plan" city 300000 1
else
  "$here/bench_roster" 25000000 5
  "$here/bench_plan" default 5
  "$here/bench_otc" 21
  "$here/bench_decode" 2500000 3
  "$here/bench_sim" 1000 3
  "$here/bench_decode" 25000000 3
  "$here/bench_plan" city 2500000 3
  "$here/bench_plan" city 25000000 1
fi
