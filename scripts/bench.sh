#!/usr/bin/env bash
# Benchmark (not part of the test suite): builds, then runs bench/bench.py; arguments go to it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh > /dev/null
exec /usr/bin/python3 bench/bench.py "$@"
