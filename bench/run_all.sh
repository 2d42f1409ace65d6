#!/bin/sh
# Runs every benchmark and prints their CSV rows.
# Usage: bench/run_all.sh [--smoke] [--dry-run] [BUILD_DIR]
#   from the source root (BUILD_DIR defaults to build), or as
#   BUILD_DIR/bench/run_all.sh (the copy the build makes).
#   --smoke    small sizes (CI)
#   --dry-run  print the commands, with the programs' paths, and run none
set -e
smoke=0 dry=0 build=""
for a in "$@"; do
  case "$a" in
    --smoke) smoke=1 ;;
    --dry-run) dry=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    -*) echo "run_all.sh: unknown option $a" >&2; exit 2 ;;
    *) build="$a" ;;
  esac
done
here=$(dirname "$0")
if [ -n "$build" ]; then
  bin="$build/bench"
elif [ -x "$here/bench_roster" ]; then
  bin="$here"
else
  bin="build/bench"
fi
for b in bench_roster bench_plan bench_otc bench_decode bench_sim bench_batch bench_output; do
  if [ ! -x "$bin/$b" ]; then
    echo "run_all.sh: no $bin/$b: build first (cmake -S . -B build && cmake --build build -j2)," >&2
    echo "or name the build directory: bench/run_all.sh [--smoke] BUILD_DIR" >&2
    exit 2
  fi
done
run() {
  if [ "$dry" = 1 ]; then echo "$bin/$*"; else "$bin/$@"; fi
}
if [ "$smoke" = 1 ]; then
  run bench_roster 200000 1
  run bench_plan default 1
  run bench_otc 3
  run bench_decode 300000 1
  run bench_sim 20 1
  run bench_batch 10 1
  run bench_plan city 300000 1
  run bench_output 300000 1
else
  run bench_roster 25000000 5
  run bench_plan default 5
  run bench_otc 21
  run bench_decode 2500000 3
  run bench_sim 1000 3
  run bench_batch 200 1 2
  run bench_decode 25000000 3
  run bench_plan city 2500000 3
  run bench_plan city 25000000 1
  run bench_output 25665000 1
fi
