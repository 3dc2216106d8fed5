#!/usr/bin/env bash
# Builds libsimgrid 3.32 from Debian's own source package with one container changed, and caches it.
#
# Why: SimGrid 3.32 keeps every host-to-host comm (Comm::sendto_init detaches them) in maestro's
# activity std::list, and CommImpl::finish() removes each with std::list::remove, a scan of every
# comm still in flight: at 10,000 nodes 29 % of a run, at 50,000 nodes 67 % (issue 11). Upstream
# SimGrid made that container a std::set in 3.34; Debian 12 ships 3.32. This script makes the same
# change to Debian's 3.32 source (ActorImpl::activities_: std::list -> std::set, emplace_back ->
# insert, remove -> erase) and builds the library only, with Debian's compiler flags (-O3, the
# hardening flags), the same soname and the features the public headers announce (MSG, Eigen3;
# ns-3 is left out: dltsim does not use it and the headers do not depend on it).
#
# The result goes to $DLTSIM_SIMGRID_CACHE (default /var/cache/dltsim/simgrid-3.32-set), built once per
# machine (about 15 minutes on 2 cores). dltsim's CMake uses it (RPATH) when it is there and the
# system library otherwise; results are byte-identical either way (tests/cli/test_simgrid_lib.py).
set -euo pipefail
cache=${DLTSIM_SIMGRID_CACHE:-/var/cache/dltsim/simgrid-3.32-set}
if [ -f "$cache/lib/libsimgrid.so.3.32" ] && [ -f "$cache/BUILT" ]; then
  echo "$cache/lib"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "build-simgrid: run as root (apt-get source, build dependencies)" >&2; exit 2; }
version=$(dpkg-query -W -f='${source:Version}' libsimgrid-dev 2>/dev/null || true)  # 3.32-2, not the binary's +b2
case "$version" in
  3.32*) ;;
  *) echo "build-simgrid: libsimgrid-dev is '$version', not 3.32: nothing to do" >&2; exit 2 ;;
esac

export DEBIAN_FRONTEND=noninteractive
if ! apt-get source --print-uris "simgrid=$version" >/dev/null 2>&1; then
  cat > /etc/apt/sources.list.d/dltsim-deb-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt-get update -qq
fi
apt-get install -y -qq --no-install-recommends dpkg-dev cmake g++ libboost-dev libboost-context-dev \
  libboost-stacktrace-dev libeigen3-dev xz-utils >/dev/null

work=$(mktemp -d /tmp/dltsim-simgrid-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get source --download-only "simgrid=$version" >/dev/null 2>&1
tar xf simgrid_3.32.orig.tar.xz
cd simgrid-3.32

# The change: one container, as upstream 3.34 has it.
hdr=src/kernel/actor/ActorImpl.hpp
grep -q 'std::list<activity::ActivityImplPtr> activities_;' "$hdr"
sed -i 's/std::list<activity::ActivityImplPtr> activities_;/std::set<activity::ActivityImplPtr> activities_;/' "$hdr"
grep -q '#include <set>' "$hdr" || sed -i '0,/#include </s//#include <set>\n#include </' "$hdr"
for f in src/kernel/activity/CommImpl.cpp src/kernel/activity/ExecImpl.cpp src/kernel/activity/IoImpl.cpp \
         src/kernel/actor/ActorImpl.cpp; do
  sed -i -E 's/activities_\.emplace_back\(/activities_.insert(/g; s/activities_\.remove\(/activities_.erase(/g' "$f"
done
if grep -rn 'activities_\.\(emplace_back\|remove\|push_back\)' src/kernel src/s4u >/dev/null; then
  echo "build-simgrid: a use of activities_ was not converted" >&2
  exit 1
fi

CFLAGS="$(dpkg-buildflags --get CFLAGS) -O3"
CXXFLAGS="$(dpkg-buildflags --get CXXFLAGS) -O3"
LDFLAGS="$(dpkg-buildflags --get LDFLAGS)"
export CFLAGS CXXFLAGS LDFLAGS
cmake -S . -B build -DCMAKE_BUILD_TYPE= -DCMAKE_INSTALL_PREFIX=/usr -Denable_msg=ON -Denable_java=OFF \
  -Denable_ns3=OFF -Denable_documentation=OFF -Denable_python=OFF -Denable_smpi=ON -Denable_fortran=OFF \
  -Denable_model-checking=OFF -Denable_compile_warnings=OFF >cmake.log 2>&1 || { tail -30 cmake.log; exit 1; }
cmake --build build --target simgrid -j"$(nproc)" >build.log 2>&1 || { tail -40 build.log; exit 1; }

mkdir -p "$cache/lib"
cp -a build/lib/libsimgrid.so* "$cache/lib/"
strip --strip-debug "$cache/lib/libsimgrid.so.3.32"  # Debian ships the debug info apart too
{
  echo "Debian source package simgrid $version, ActorImpl::activities_ as std::set (upstream 3.34)."
  echo "Built $(date -u +%Y-%m-%dT%H:%MZ) by scripts/build-simgrid.sh"
} > "$cache/BUILT"
echo "$cache/lib"
