#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then configures and builds dltsim into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Debian's Python packages (h5py, pybind11's interpreter) live under /usr/bin/python3, which an
# earlier python3 on PATH may not see.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPython_EXECUTABLE=/usr/bin/python3 \
      -DPYTHON_EXECUTABLE=/usr/bin/python3 > build-configure.log 2>&1 || { cat build-configure.log; exit 1; }
cmake --build build -j"$(nproc)"
