#!/usr/bin/env bash
# pip install --no-build-isolation ./python into a venv made with --system-site-packages (Debian's
# numpy, pandas, h5py), without any package index; then import and run a simulation from the venv.
# With DLTSIM_BUILD_DIR set, setup.py takes the native parts from that build instead of rebuilding.
set -euo pipefail
root="$1"
venv="$(mktemp -d)/venv"
/usr/bin/python3 -m venv --system-site-packages "$venv"
if [ -n "${DLTSIM_BUILD_DIR:-}" ]; then
  # As the README writes it: a build folder relative to where pip is called.
  (cd "$(dirname "$DLTSIM_BUILD_DIR")" && DLTSIM_BUILD_DIR="$(basename "$DLTSIM_BUILD_DIR")" \
     "$venv/bin/pip" install --quiet --no-build-isolation --no-index "$root/python")
else
  "$venv/bin/pip" install --quiet --no-build-isolation --no-index "$root/python"
fi
cd "$(dirname "$venv")"
"$venv/bin/python" - "$root" <<'PY'
import os, sys
import dltsim
assert dltsim.__file__.startswith(sys.prefix), dltsim.__file__   # the installed copy, not the build tree
r = dltsim.run(os.path.join(sys.argv[1], "scenarios", "quickstart.yaml"),
               overrides={"network.nodes": 100, "general.stop.blocks": 2}, out="pip.h5")
assert r.complete and r.summary["blocks_produced"] == 2
print("installed dltsim", dltsim.__version__, "ran", r)
PY
rm -rf "$(dirname "$venv")"
