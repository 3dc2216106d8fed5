#!/usr/bin/env bash
# Benchmark (not part of the test suite): builds, then runs bench/bench.py (arguments go to it), or
# with --study bench/bench_study.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh > /dev/null
if [ "${1:-}" = "--study" ]; then
  shift
  exec /usr/bin/python3 bench/bench_study.py "$@"
fi
exec /usr/bin/python3 bench/bench.py "$@"
