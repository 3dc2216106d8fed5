#!/usr/bin/env bash
# The sanitizer half of the test suite: builds the unit tests, the simulation tests and the
# scenario-loader fuzzer with clang, AddressSanitizer and UBSan (undefined behaviour aborts) into
# build-asan/, runs the tests there, then fuzzes for DLTSIM_FUZZ_SECONDS (default 45, so that the whole
# .ci/run stays near 20 minutes on 2 cores; longer by hand: DLTSIM_FUZZ_SECONDS=600).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
CC=clang-14 CXX=clang++-14 cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDLTSIM_SANITIZE=ON -DDLTSIM_FUZZ=ON -DDLTSIM_PYTHON=OFF \
  -DPython_EXECUTABLE=/usr/bin/python3 > build-asan-configure.log 2>&1 || { cat build-asan-configure.log; exit 1; }
cmake --build build-asan -j"$(nproc)" --target unit_tests sim_tests fuzz_scenario
cd build-asan
export DLTSIM_FUZZ_SECONDS=${DLTSIM_FUZZ_SECONDS:-45}
ctest -j"$(nproc)" --output-on-failure "$@"
