#!/bin/sh
# Runs every benchmark and prints their CSV rows. --smoke: small sizes (CI).
# Run from the build directory's bench/ folder or give its path.
set -e
here=$(dirname "$0")
if [ "${1:-}" = "--smoke" ]; then
  "$here/bench_roster" 200000 1
else
  "$here/bench_roster" 25000000 5
fi
