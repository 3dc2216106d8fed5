#!/usr/bin/env bash
# Side-by-side reference (not a test): SimBlock (github dsg-titech/simblock, a checkout) at a node
# count and block count, compiled with plain javac, timed with its peak RSS. SimBlock 2019's
# defaults otherwise: 535 KB blocks, 10 min interval, compact blocks. Both counts are compile-time
# constants, so compiling and running are separate steps: bench.py --simblock compiles once and
# times the run once per round.
#   bash bench/simblock.sh ~/src/simblock 10000 100                # compile in a temp dir, run once
#   bash bench/simblock.sh --compile DIR ~/src/simblock 10000 100  # compile only, into DIR
#   bash bench/simblock.sh --run DIR                               # one timed run of DIR's build
# A run prints SimBlock's last 3 lines of output and then the timing line
#   simblock: N nodes x B blocks: wall W s, CPU U s user + S s sys, peak RSS R KB
# (/usr/bin/time: wall and peak RSS of the java process), after checking that the chain reached B.
# The JVM runs with its default heap sizing, so its peak RSS follows the garbage collector's choice
# of heap as much as SimBlock's data; its CPU time includes the JIT's and the collector's threads.
set -euo pipefail

compile() {  # DIR CHECKOUT NODES BLOCKS
  local dir=$1 src=$2 nodes=$3 blocks=$4
  mkdir -p "$dir"
  rm -rf "$dir/src" "$dir/classes"
  cp -r "$src/simulator/src" "$dir/src"
  local conf=$dir/src/main/java/simblock/settings/SimulationConfiguration.java
  # Anchored on the declaration: the file also has commented-out lines with the same names.
  sed -i -E "s/^([[:space:]]*public static final int NUM_OF_NODES = )[0-9]+;/\1$nodes;/;
             s/^([[:space:]]*public static final int END_BLOCK_HEIGHT = )[0-9]+;/\1$blocks;/" "$conf"
  if ! javac -nowarn -d "$dir/classes" $(find "$dir/src/main/java" -name '*.java') 2> "$dir/javac.log"; then
    cat "$dir/javac.log" >&2
    exit 1
  fi
  # The compiled constants, not the source text, say whether the edit took.
  local consts
  consts=$(javap -constants -cp "$dir/classes" simblock.settings.SimulationConfiguration)
  if ! grep -q "int NUM_OF_NODES = $nodes;" <<< "$consts" ||
     ! grep -q "int END_BLOCK_HEIGHT = $blocks;" <<< "$consts"; then
    echo "simblock.sh: could not set NUM_OF_NODES=$nodes and END_BLOCK_HEIGHT=$blocks" \
         "in $src/simulator/${conf#"$dir/"}" >&2
    exit 1
  fi
  mkdir -p "$dir/dist/conf"
  cp "$src/simulator/src/dist/conf/"* "$dir/dist/conf/"
  echo "$nodes $blocks" > "$dir/size"
}

run() {  # DIR
  local dir=$1 nodes blocks height
  read -r nodes blocks < "$dir/size"
  # A fresh output directory each run: SimBlock writes its event log there (hundreds of MB at
  # 10,000 x 100), and every run should pay for the same writes.
  rm -rf "$dir/dist/output"
  mkdir -p "$dir/dist/output/graph"
  if ! (cd "$dir/dist/output" &&
        /usr/bin/time -o "$dir/time.txt" \
          -f "simblock: $nodes nodes x $blocks blocks: wall %e s, CPU %U s user + %S s sys, peak RSS %M KB" \
          java -cp "$dir/classes:$dir/dist/conf" simblock.simulator.Main > "$dir/stdout.txt"); then
    tail -n 5 "$dir/stdout.txt" "$dir/time.txt" >&2
    exit 1
  fi
  # SimBlock stops when the first block above END_BLOCK_HEIGHT is due: its highest block is B.
  height=$(awk -F ' : ' '$2 > h { h = $2 } END { print h + 0 }' "$dir/dist/output/blockList.txt")
  if [ "$height" != "$blocks" ]; then
    echo "simblock.sh: the run ended at height $height, not $blocks" >&2
    exit 1
  fi
  rm -rf "$dir/dist/output"
  tail -n 3 "$dir/stdout.txt"
  cat "$dir/time.txt"
}

case ${1:-} in
  --compile) compile "${2:?build directory}" "${3:?path to a SimBlock checkout}" "${4:-10000}" "${5:-100}" ;;
  --run) run "${2:?build directory from --compile}" ;;
  *)
    src=${1:?path to a SimBlock checkout}
    work=$(mktemp -d /tmp/simblock-bench.XXXXXX)
    trap 'rm -rf "$work"' EXIT
    compile "$work" "$src" "${2:-10000}" "${3:-100}"
    run "$work"
    ;;
esac
