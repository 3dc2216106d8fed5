#!/usr/bin/env bash
# Side-by-side reference (not a test): SimBlock (github dsg-titech/simblock, a checkout given as the
# first argument) at a node count and block count, compiled with plain javac, timed with its peak
# RSS. SimBlock 2019's defaults otherwise: 535 KB blocks, 10 min interval, compact blocks.
#   bash bench/simblock.sh ~/src/simblock 10000 100
set -euo pipefail
src=${1:?path to a SimBlock checkout}
nodes=${2:-10000}
blocks=${3:-100}
work=$(mktemp -d /tmp/simblock-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$src/simulator/src" "$work/src"
conf=$work/src/main/java/simblock/settings/SimulationConfiguration.java
sed -i -E "s/NUM_OF_NODES = [0-9]+;/NUM_OF_NODES = $nodes;/; s/END_BLOCK_HEIGHT = [0-9]+;/END_BLOCK_HEIGHT = $blocks;/" "$conf"
grep -q "NUM_OF_NODES = $nodes;" "$conf" && grep -q "END_BLOCK_HEIGHT = $blocks;" "$conf"
javac -nowarn -d "$work/classes" $(find "$work/src/main/java" -name '*.java') 2>/dev/null
mkdir -p "$work/dist/conf" "$work/dist/output/graph"
cp "$work/src/dist/conf/"* "$work/dist/conf/"
cd "$work/dist/output"
/usr/bin/time -f "simblock: $nodes nodes x $blocks blocks: wall %e s, CPU %U s user + %S s sys, peak RSS %M KB" \
  java -cp "$work/classes:$work/dist/conf" simblock.simulator.Main > "$work/stdout.txt"
tail -n 3 "$work/stdout.txt"
