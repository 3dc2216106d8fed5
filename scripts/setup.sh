#!/usr/bin/env bash
# Installs the Debian packages dltsim needs, and only those. Idempotent: when
# everything is present it returns after one dpkg query. With --test, also what the test suite
# needs beyond the build: clang and libFuzzer for the sanitizer build and the fuzzer.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang-format
  libsimgrid-dev libboost-dev libeigen3-dev
  libhdf5-dev zlib1g-dev libyaml-cpp-dev libcli11-dev libfmt-dev catch2
  pybind11-dev python3-dev
  python3-h5py python3-numpy python3-pandas python3-matplotlib python3-pytest
  python3-nbclient python3-ipykernel python3-nbformat python3-pip python3-venv
  python3-yaml python3-scipy python3-distributed python3-xarray python3-plotly esbuild
)
if [ "${1:-}" = "--test" ]; then
  packages+=(clang-14 libfuzzer-14-dev libclang-rt-14-dev python3-mpmath slurm-wlm munge
             chromium chromium-driver python3-selenium)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${#missing[@]} Debian package(s): ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
