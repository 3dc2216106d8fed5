#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, run the whole test suite: CTest on the
# release build (unit, simulation, command-line, Python, notebooks, validation), then the same
# unit and simulation tests under AddressSanitizer and UBSan, and the scenario-loader fuzzer
# (scripts/sanitize.sh). Arguments go to both ctest runs (e.g. -R pattern).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/build.sh
(cd build && ctest -j"$(nproc)" --output-on-failure "$@")
bash scripts/sanitize.sh "$@"
