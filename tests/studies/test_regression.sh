#!/usr/bin/env bash
# The regression study against its committed baseline (docs/studies.md): runs
# studies/regression.yaml into a fresh folder, then `dltsim study check`; exit 1 if a result moved.
set -euo pipefail
dltsim=$1 studies=$2 out=$3
rm -rf "$out"
"$dltsim" study run "$studies/regression.yaml" --output "$out" --no-progress
"$dltsim" study check "$out/study.h5" --baseline "$studies/regression-baseline.h5" --all
