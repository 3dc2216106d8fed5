#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, run the default scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
build/dltsim run scenarios/quickstart.yaml -o quickstart.h5
