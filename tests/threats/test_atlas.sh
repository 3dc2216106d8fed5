#!/usr/bin/env bash
# The whole atlas at CI size (every threat of threats/): runs, closed forms against measurements
# (exit 1 if one disagrees), every study against the committed baseline threats/baseline-ci/ with the
# study check's statistics, and the same bytes when collected again.
# Usage: test_atlas.sh DLTSIM THREATS_DIR OUTPUT_DIR
set -euo pipefail
dltsim=$1 threats=$2 out=$3
rm -rf "$out"
"$dltsim" atlas run --size ci --output "$out" --catalogue "$threats" --quiet
"$dltsim" atlas check --size ci --output "$out" --catalogue "$threats" --baseline "$threats/baseline-ci"
cp "$out/ci/atlas.h5" "$out/first.h5"
"$dltsim" atlas collect --size ci --output "$out" --catalogue "$threats" > /dev/null
cmp "$out/first.h5" "$out/ci/atlas.h5"
echo "atlas: the same bytes when collected again"
