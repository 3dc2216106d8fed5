#!/usr/bin/env bash
# Runs the scenario-loader fuzzer for a fixed time (DLTSIM_FUZZ_SECONDS, default 60) from the
# committed seeds; new inputs go to a scratch directory, never into the repository. A crash,
# sanitizer report, uncaught exception, timeout or memory blow-up fails the test, and the input
# that caused it is kept (its path is printed) to be added to tests/malformed/ once fixed.
set -euo pipefail
fuzzer=$1
root=$2
seconds=${DLTSIM_FUZZ_SECONDS:-60}
work=$(mktemp -d -t dltsim-fuzz-XXXXXX)
trap 'rm -rf "$work/corpus"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
  -dict="$root/tests/fuzz/scenario.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
  "$work/corpus" "$root/tests/fuzz/corpus" "$root/tests/malformed" "$root/scenarios" 2>&1 | tail -25
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  echo "fuzzer failed (exit $status); reproducer(s) in $work/artifacts:" >&2
  ls -l "$work/artifacts" >&2
  exit 1
fi
