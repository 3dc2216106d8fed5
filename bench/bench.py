#!/usr/bin/env python3
"""dltsim benchmark: wall time, peak RSS, events/s and messages/s of scenarios/bitcoin-2019.yaml at
several network sizes and with the runtime's options (contention model, which messages become
SimGrid flows). Each configuration runs in its own process; figures go to stdout as a Markdown table
and to a JSON file.

    bash scripts/bench.sh                      # default: scaling 1k/5k/10k + options at 5k
    bash scripts/bench.sh --sizes 10000 --repeat 3
    bash scripts/bench.sh --interrupt 100000 1000000 --interrupt-after 90   # Ctrl-C latency
    bash scripts/bench.sh --bft                # PBFT n=100, HotStuff n=1000, Tendermint n=100
    bash scripts/bench.sh --peers --repeat 2   # churn and peer management against bitcoin-2019
    bash scripts/bench.sh --atlas ci            # the threat atlas from nothing: wall time, runs, time per threat
    bash scripts/bench.sh --families           # GHOST at 10,000 nodes, Praos 1,000 x 100,000 slots, ethereum-2019
    bash scripts/bench.sh --scaling default    # CPU per block against n, and its growth exponent
    bash scripts/bench.sh --scaling 1000000x1  # one size
    bash scripts/bench.sh --scaling default --simblock ~/src/simblock   # plus SimBlock side by side, 2 pairs
    bash scripts/bench.sh --scaling 1000x10 --simblock ~/src/simblock --simblock-size 1000x10   # smoke test
"""

import argparse
import glob
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(dltsim, scenario, sets, out, keep=False):
    """Wall, CPU (user + sys) and peak RSS of one run, in a wrapper process so that RUSAGE_CHILDREN
    covers exactly this run, and its summary."""
    code = (
        "import resource, subprocess, sys, time, json;"
        "t = time.monotonic();"
        "subprocess.run(sys.argv[1:], check=True);"
        "w = time.monotonic() - t;"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(json.dumps({'wall_s': w, 'cpu_s': r.ru_utime + r.ru_stime, 'rss_mb': r.ru_maxrss / 1024}))"
    )
    cmd = [sys.executable, "-c", code, dltsim, "run", scenario, "-o", out, "-q"]
    for x in sets:
        cmd += ["--set", x]
    r = subprocess.run(cmd, check=True, capture_output=True, text=True)
    m = json.loads(r.stdout.strip().splitlines()[-1])
    with h5py.File(out, "r") as f:
        m["summary"] = {k: (v.decode() if isinstance(v, bytes) else v.item()) for k, v in f["summary"].attrs.items()}
    if not keep:
        os.remove(out)
    return m


def interrupt_latency(dltsim, scenario, nodes, after_s, sig, tmp):
    """Seconds from a signal, sent after_s into a run, to the process's exit (results saved)."""
    out = os.path.join(tmp, "interrupted.h5")
    proc = subprocess.Popen([dltsim, "run", scenario, "-o", out, "-q", "--set", f"network.nodes={nodes}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(after_s)
    start = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate()
    latency = time.monotonic() - start
    kept = os.path.join(tmp, "interrupted.incomplete.h5")
    saved = os.path.exists(kept)
    if saved:
        os.remove(kept)
    return {"nodes": nodes, "after_s": after_s, "signal": signal.Signals(sig).name, "exit": proc.returncode,
            "latency_s": round(latency, 2), "incomplete_file": saved, "stderr": err.strip()[-120:]}


SCALING = [(1000, 1000), (10000, 100), (50000, 20), (100000, 10)]


def bench_scaling(args):
    """CPU per block against the node count, and the exponent of its growth (least squares on logs)."""
    version = subprocess.run([args.dltsim, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"dltsim --version: {' | '.join(version.splitlines())}")
    tmp = tempfile.mkdtemp(prefix="dltsim-bench-")
    sizes = []
    for x in args.scaling:
        sizes += SCALING if x == "default" else [tuple(map(int, x.split("x")))]
    rows = []
    print("| nodes x blocks | wall s | CPU s | CPU s per block | events | us CPU per event | peak RSS MB | "
          "CPU per block / (n log2 n), ns |")
    print("|---|---|---|---|---|---|---|---|")
    for nodes, blocks in sizes:
        m = measure(args.dltsim, args.scenario, [f"network.nodes={nodes}", f"general.stop.blocks={blocks}"],
                        os.path.join(tmp, "scaling.h5"))
        s = m["summary"]
        row = {"nodes": nodes, "blocks": blocks, "wall_s": round(m["wall_s"], 2), "cpu_s": round(m["cpu_s"], 2),
               "cpu_per_block_s": m["cpu_s"] / blocks, "events": s["events"],
               "us_per_event": 1e6 * m["cpu_s"] / s["events"], "rss_mb": round(m["rss_mb"], 1),
               "ns_per_n_log_n": 1e9 * m["cpu_s"] / blocks / (nodes * math.log2(nodes))}
        rows.append(row)
        print(f"| {nodes} x {blocks} | {row['wall_s']} | {row['cpu_s']} | {row['cpu_per_block_s']:.3f} | "
              f"{row['events']} | {row['us_per_event']:.2f} | {row['rss_mb']} | {row['ns_per_n_log_n']:.1f} |",
              flush=True)
    if len(rows) >= 2:
        xs = [math.log(r["nodes"]) for r in rows]
        ys = [math.log(r["cpu_per_block_s"]) for r in rows]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        print(f"\nCPU per block grows like n^{slope:.2f} (least squares on log CPU per block against log n; "
              "1.0 is linear, n log n reads about 1.1 over 1k-100k; a flat last column is n log n)")
    out = {"version": version, "runs": rows, "side_by_side": None}
    path = args.json.replace(".json", "-scaling.json")
    if args.simblock:
        save_json(path, out)  # the scaling table survives a side-by-side that fails or is stopped
        out["side_by_side"] = side_by_side(args, tmp)
    save_json(path, out)
    print(f"\nwritten: {path}")


def save_json(path, data):
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


SIMBLOCK_SH = os.path.join(ROOT, "bench", "simblock.sh")
SIDE = [("SimBlock (no contention model)", None),
        ("dltsim bitcoin-2019 (contention on)", []),
        ("dltsim bitcoin-2019, contention none", ["network.contention=none"])]


def side_by_side(args, tmp):
    """SimBlock (bench/simblock.sh on a checkout) and dltsim's bitcoin-2019 at the same size, run as
    alternating pairs (SimBlock, dltsim, dltsim without contention, then again) so that a burst of
    load on this noisy machine hits every configuration alike, and each ratio is taken within a pair."""
    nodes, blocks = args.simblock_size
    batch = side_batch(args, nodes, blocks)  # first: the load before javac adds to it
    work = os.path.join(tmp, "simblock")
    subprocess.run(["bash", SIMBLOCK_SH, "--compile", work, args.simblock, str(nodes), str(blocks)], check=True)
    print(f"\nSide by side, {nodes} nodes x {blocks} blocks, {args.pairs} alternating pairs:\n")
    print("| pair | configuration | wall s | CPU s | peak RSS MB |")
    print("|---|---|---|---|---|")
    runs = {name: [] for name, _ in SIDE}
    for pair in range(args.pairs):
        for name, sets in SIDE:
            m = simblock_run(work) if sets is None else side_dltsim(args, tmp, nodes, blocks, sets)
            runs[name].append(m)
            print(f"| {pair} | {name} | {m['wall_s']:.2f} | {m['cpu_s']:.2f} | {m['rss_mb']:.0f} |", flush=True)
    shutil.rmtree(work)
    batch["load_after"] = round(os.getloadavg()[0], 2)
    summary = side_summary(runs)
    print_side(summary, batch)
    return {"batch": batch, "summary": summary, "runs": runs}


def side_batch(args, nodes, blocks):
    """What a ratio depends on besides the two programs: the day, the SimGrid that dltsim loaded (last
    line of --version), the JVM (and any options it picked up from the environment), the load."""
    version = subprocess.run([args.dltsim, "--version"], capture_output=True, text=True, check=True).stdout
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=True).stderr
    return {"date": time.strftime("%Y-%m-%d", time.gmtime()), "pairs": args.pairs, "nodes": nodes, "blocks": blocks,
            "dltsim": version.strip().splitlines()[0], "simgrid": version.strip().splitlines()[-1],
            "java": "; ".join(x for x in java.splitlines() if " version " in x or x.startswith("Picked up")),
            "simblock": os.path.abspath(args.simblock), "scenario": args.scenario,
            "load_before": round(os.getloadavg()[0], 2)}


def simblock_run(work):
    """Wall, CPU and peak RSS of one SimBlock run as /usr/bin/time reports them (simblock.sh --run,
    which also checks that the chain reached the requested height)."""
    r = subprocess.run(["bash", SIMBLOCK_SH, "--run", work], capture_output=True, text=True)
    found = re.search(r"wall ([0-9.]+) s, CPU ([0-9.]+) s user \+ ([0-9.]+) s sys, peak RSS ([0-9]+) KB", r.stdout)
    if r.returncode or not found:
        sys.exit(f"SimBlock's run failed or its timing could not be read:\n{(r.stdout + r.stderr)[-800:]}")
    return {"wall_s": float(found.group(1)), "cpu_s": round(float(found.group(2)) + float(found.group(3)), 2),
            "rss_mb": round(int(found.group(4)) / 1024, 1)}


def side_dltsim(args, tmp, nodes, blocks, sets):
    """One dltsim run of the scenario at the side-by-side size, measured like every other table."""
    m = measure(args.dltsim, args.scenario, [f"network.nodes={nodes}", f"general.stop.blocks={blocks}", *sets],
                os.path.join(tmp, "side.h5"))
    s = m.pop("summary")
    if s["nodes"] != nodes or s["blocks_produced"] < blocks:
        sys.exit(f"dltsim ran {s['nodes']} nodes x {s['blocks_produced']} blocks, not {nodes} x {blocks}")
    return {"wall_s": round(m["wall_s"], 3), "cpu_s": round(m["cpu_s"], 3), "rss_mb": round(m["rss_mb"], 1),
            "events": s["events"], "blocks_produced": s["blocks_produced"]}


def side_summary(runs):
    """Min and median over the rounds per configuration; SimBlock over dltsim pair by pair, since a
    ratio of two minima may come from different moments of the batch."""
    simblock = runs[SIDE[0][0]]
    rows = []
    for name, sets in SIDE:
        row = {"configuration": name}
        for k in ("wall_s", "cpu_s", "rss_mb"):
            row[k] = min_median([m[k] for m in runs[name]])
        if sets is not None:
            for k in ("wall_s", "rss_mb"):
                row["simblock_over_this_" + k] = min_median([a[k] / b[k] for a, b in zip(simblock, runs[name])])
        rows.append(row)
    return rows


def min_median(xs):
    return {"min": round(min(xs), 2), "median": round(statistics.median(xs), 2), "per_pair": [round(x, 2) for x in xs]}


def print_side(summary, batch):
    print("\n| configuration | wall s min / median | CPU s min / median | peak RSS MB min / median | "
          "SimBlock / this, wall, per pair: min / median | SimBlock / this, peak RSS, per pair: min / median |")
    print("|---|---|---|---|---|---|")
    for row in summary:
        cells = [f"{row[k]['min']:.{d}f} / {row[k]['median']:.{d}f}"
                 for k, d in (("wall_s", 2), ("cpu_s", 2), ("rss_mb", 0),
                              ("simblock_over_this_wall_s", 2), ("simblock_over_this_rss_mb", 2)) if k in row]
        cells += ["-", "-"] if len(cells) == 3 else []
        print(f"| {row['configuration']} | {' | '.join(cells)} |")
    print(f"\nBatch {batch['date']} (UTC): {batch['pairs']} pairs of {batch['nodes']} nodes x "
          f"{batch['blocks']} blocks; dltsim {batch['dltsim']} with {batch['simgrid']}; Java: {batch['java']}; "
          f"load average (1 min; this benchmark adds about 1) before / after: {batch['load_before']} / "
          f"{batch['load_after']}", flush=True)


def bench_peers(args, nodes=10000, blocks=100):
    """bitcoin-2019 without and with churn and peer management (address tables and gossip), the
    configurations interleaved so that the machine's noise hits them alike (issue 12: within 2x)."""
    tmp = tempfile.mkdtemp(prefix="dltsim-bench-")
    base = [f"network.nodes={nodes}", f"general.stop.blocks={blocks}"]
    churn = ["network.churn.fraction=0.3", "network.churn.session=2 h", "network.churn.downtime=30 min"]
    configs = [("bitcoin-2019", base), ("churn 30 %", base + churn),
               ("churn 30 % + peers (addrman, gossip, feelers)", base + churn + ["network.peers={}"])]
    print(f"\nPeer management, {nodes} nodes x {blocks} blocks:\n")
    print("| configuration | repeat | wall s | peak RSS MB | events | events/s | connections opened | addresses |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for rep in range(args.repeat):
        for name, sets in configs:
            m = measure(args.dltsim, args.scenario, sets, os.path.join(tmp, "peers.h5"))
            s = m["summary"]
            row = {"configuration": name, "repeat": rep, "wall_s": round(m["wall_s"], 2),
                   "rss_mb": round(m["rss_mb"], 1), "events": s["events"],
                   "events_per_s": round(s["events"] / m["wall_s"]), "opened": s.get("peers_opened", 0),
                   "addresses": s.get("peers_addresses", 0)}
            rows.append(row)
            print(f"| {name} | {rep} | {row['wall_s']} | {row['rss_mb']} | {row['events']} | {row['events_per_s']} | "
                  f"{row['opened']} | {row['addresses']} |", flush=True)
    with open(args.json, "w") as f:
        json.dump(rows, f, indent=1)


def bench_families(args):
    """The longest-chain families beside bitcoin-2019 (issue 13): the same 10,000 x 100 run with GHOST
    (and with GHOST and Ethereum's uncles), Praos with 1,000 stakeholders for 100,000 slots, and the
    ethereum-2019 scenario, interleaved per repeat."""
    tmp = tempfile.mkdtemp(prefix="dltsim-bench-")
    btc = os.path.join(ROOT, "scenarios", "bitcoin-2019.yaml")
    configs = [
        ("bitcoin-2019 10,000 x 100, longest chain", btc, []),
        ("bitcoin-2019 10,000 x 100, GHOST", btc, ["consensus.params.fork_choice=ghost"]),
        ("bitcoin-2019 10,000 x 100, GHOST + uncles, relay all", btc,
         ["consensus.params.fork_choice=ghost", "consensus.params.max_uncles=2", "consensus.params.relay=all"]),
        ("praos 1,000 stakeholders x 100,000 slots", os.path.join(ROOT, "scenarios", "praos.yaml"), []),
        ("ethereum-2019 500 x 1,000", os.path.join(ROOT, "scenarios", "ethereum-2019.yaml"), []),
    ]
    print("| configuration | repeat | wall s | CPU s | peak RSS MB | blocks | events | events/s | stale rate |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for rep in range(args.repeat):
        for name, scenario, sets in configs:
            m = measure(args.dltsim, scenario, sets, os.path.join(tmp, "families.h5"))
            s = m["summary"]
            row = {"configuration": name, "repeat": rep, "wall_s": round(m["wall_s"], 2), "cpu_s": round(m["cpu_s"], 2),
                   "rss_mb": round(m["rss_mb"], 1), "blocks": s["blocks_produced"], "events": s["events"],
                   "events_per_s": round(s["events"] / m["wall_s"]), "stale_rate": round(s["stale_rate"], 4)}
            rows.append(row)
            print(f"| {name} | {rep} | {row['wall_s']} | {row['cpu_s']} | {row['rss_mb']} | {row['blocks']} | "
                  f"{row['events']} | {row['events_per_s']} | {row['stale_rate']} |", flush=True)
    out = args.json.replace(".json", "-families.json")
    with open(out, "w") as f:
        json.dump(rows, f, indent=1)
    print(f"\nwritten: {out}")


def bench_transactions(args):
    """bitcoin-2019 for an hour with and without its 2019 transaction load (issue 22): the cost of
    transactions beside the block-only run, at each --tx-sizes node count."""
    tmp = tempfile.mkdtemp(prefix="dltsim-bench-")
    scenario = os.path.join(ROOT, "scenarios", "bitcoin-2019-transactions.yaml")
    # Today's block-only run: the same network and blocks of bitcoin-2019.yaml, for the same hour.
    blocks_only = os.path.join(ROOT, "scenarios", "bitcoin-2019.yaml")
    print("| configuration | nodes | wall s | CPU s | peak RSS MB | RSS KB/node | events | events/s | transactions |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for n in args.tx_sizes:
        for name, path, sets in (("blocks only (bitcoin-2019.yaml)", blocks_only,
                                  [f"network.nodes={n}", "general.stop.time=1 h"]),
                                 ("2019 transaction load", scenario, [f"network.nodes={n}"])):
            m = measure(args.dltsim, path, sets, os.path.join(tmp, "tx.h5"))
            s = m["summary"]
            row = {"configuration": name, "nodes": n, "wall_s": round(m["wall_s"], 1), "cpu_s": round(m["cpu_s"], 1),
                   "rss_mb": round(m["rss_mb"]), "rss_kb_per_node": round(1024 * m["rss_mb"] / n),
                   "events": s["events"], "events_per_s": round(s["events"] / m["wall_s"]),
                   "transactions": s.get("transactions_created", 0)}
            rows.append(row)
            print(f"| {name} | {n} | {row['wall_s']} | {row['cpu_s']} | {row['rss_mb']} | {row['rss_kb_per_node']} | "
                  f"{row['events']} | {row['events_per_s']} | {row['transactions']} |", flush=True)
    out = args.json.replace(".json", "-transactions.json")
    with open(out, "w") as f:
        json.dump(rows, f, indent=1)
    print(f"\nwritten: {out}")


def bench_interconnect(args):
    """Two 1,000-node ledgers with a bridge for 24 simulated hours (issue 25) against the two run
    alone: scenarios/interconnect/custodial-exchange.yaml at --interconnect-nodes per ledger and
    --interconnect-tx transactions per second on each, then each ledger file alone with the seed and
    settings it had in the pair."""
    tmp = tempfile.mkdtemp(prefix="dltsim-bench-")
    folder = os.path.join(ROOT, "scenarios", "interconnect")
    pair = os.path.join(folder, "custodial-exchange.yaml")
    n, tx, hours = args.interconnect_nodes, args.interconnect_tx, args.interconnect_hours
    common = [f"general.stop.time={hours} h"]
    ledger_sets = [f"network.nodes={n}", f"transactions.tx_per_s={tx}"]
    print("| configuration | nodes | simulated h | wall s | CPU s | peak RSS MB | events | events/s |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    out = os.path.join(tmp, "pair.h5")
    sets = common + [f"ledgers.{name}.{x}" for name in ("source", "destination") for x in ledger_sets]
    m = measure(args.dltsim, pair, sets, out, keep=True)
    with h5py.File(out, "r") as f:
        seeds = {name: int(f[f"ledgers/{name}/provenance"].attrs["seed"]) for name in ("source", "destination")}
    os.remove(out)
    runs = [("two ledgers and a custodial bridge", m, 2 * n)]
    for name, file in (("source", "small-pow-chain.yaml"), ("destination", "exchange-chain.yaml")):
        alone = measure(args.dltsim, os.path.join(folder, file),
                        common + ledger_sets + [f"general.seed={seeds[name]}"], os.path.join(tmp, "alone.h5"))
        runs.append((f"{name} ledger alone ({file})", alone, n))
    total = {"wall_s": runs[1][1]["wall_s"] + runs[2][1]["wall_s"], "cpu_s": runs[1][1]["cpu_s"] + runs[2][1]["cpu_s"],
             "rss_mb": max(runs[1][1]["rss_mb"], runs[2][1]["rss_mb"]),
             "summary": {"events": runs[1][1]["summary"]["events"] + runs[2][1]["summary"]["events"]}}
    runs.append(("the two alone, one after the other (RSS: the larger)", total, 2 * n))
    for name, r, nodes in runs:
        row = {"configuration": name, "nodes": nodes, "hours": hours, "wall_s": round(r["wall_s"], 1),
               "cpu_s": round(r["cpu_s"], 1), "rss_mb": round(r["rss_mb"]), "events": r["summary"]["events"],
               "events_per_s": round(r["summary"]["events"] / r["wall_s"])}
        rows.append(row)
        print(f"| {name} | {nodes} | {hours} | {row['wall_s']} | {row['cpu_s']} | {row['rss_mb']} | {row['events']} | "
              f"{row['events_per_s']} |", flush=True)
    with open(args.json.replace(".json", "-interconnect.json"), "w") as f:
        json.dump(rows, f, indent=1)


def bench_privacy(args):
    """deanonymise-2019 (a supernode on every node, three estimators) beside the same run with the
    attack switched off (issue 23: within 1.5 times the time and memory), at each --privacy-sizes count."""
    tmp = tempfile.mkdtemp(prefix="dltsim-bench-")
    scenario = os.path.join(ROOT, "scenarios", "deanonymise-2019.yaml")
    print("| configuration | nodes | wall s | CPU s | peak RSS MB | events | events/s | transactions |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for n in args.privacy_sizes:
        for name, sets in (("no adversary (attack off)", [f"network.nodes={n}", "attacks[0].enabled=false"]),
                           ("supernode + estimators", [f"network.nodes={n}"])):
            m = measure(args.dltsim, scenario, sets, os.path.join(tmp, "privacy.h5"))
            s = m["summary"]
            row = {"configuration": name, "nodes": n, "wall_s": round(m["wall_s"], 1), "cpu_s": round(m["cpu_s"], 1),
                   "rss_mb": round(m["rss_mb"]), "events": s["events"],
                   "events_per_s": round(s["events"] / m["wall_s"]),
                   "transactions": s.get("transactions_created", 0)}
            rows.append(row)
            print(f"| {name} | {n} | {row['wall_s']} | {row['cpu_s']} | {row['rss_mb']} | "
                  f"{row['events']} | {row['events_per_s']} | {row['transactions']} |", flush=True)
    out = args.json.replace(".json", "-privacy.json")
    with open(out, "w") as f:
        json.dump(rows, f, indent=1)
    print(f"\nwritten: {out}")


def bench_atlas(args):
    """The threat atlas from nothing (issue 24: within 5 minutes on 2 cores at CI size): wall time of
    `dltsim atlas run`, its runs, and the run time each threat takes (timings.csv of its study)."""
    import csv
    tmp = tempfile.mkdtemp(prefix="dltsim-bench-atlas-")
    start = time.monotonic()
    r = subprocess.run([args.dltsim, "atlas", "run", "--size", args.atlas, "--output", tmp, "--quiet", "--no-progress"],
                       capture_output=True, text=True)
    wall = time.monotonic() - start
    if r.returncode != 0:
        sys.exit(f"dltsim atlas run failed ({r.returncode}):\n{r.stderr[-2000:]}")
    rows = []
    for path in sorted(glob.glob(os.path.join(tmp, args.atlas, "*", "timings.csv"))):
        with open(path) as f:
            t = [float(row["wall_s"]) for row in csv.DictReader(f)]
        rows.append({"threat": os.path.basename(os.path.dirname(path)), "runs": len(t), "run_s": round(sum(t), 1),
                     "longest_run_s": round(max(t), 1)})
    rows.sort(key=lambda x: -x["run_s"])
    print(f"atlas {args.atlas}: {len(rows)} threats, {sum(x['runs'] for x in rows)} runs, {wall:.0f} s wall, "
          f"{sum(x['run_s'] for x in rows):.0f} s of runs\n")
    print("| threat | runs | run s (sum) | longest run s |")
    print("|---|---|---|---|")
    for x in rows:
        print(f"| {x['threat']} | {x['runs']} | {x['run_s']} | {x['longest_run_s']} |")
    out = args.json.replace(".json", f"-atlas-{args.atlas}.json")
    save_json(out, {"wall_s": round(wall, 1), "threats": rows})
    shutil.rmtree(tmp, ignore_errors=True)


BFT_SCENARIOS = ["pbft-100", "hotstuff-1000", "tendermint-100"]


def bench_bft(args):
    """The three BFT scenarios as shipped: cost of the run and what it simulated."""
    tmp = tempfile.mkdtemp(prefix="dltsim-bench-")
    rows = []
    print("| scenario | replicas | decisions | wall s | peak RSS MB | events | events/s | messages/s | "
          "throughput tx/s | commit latency mean / p90 s | view changes |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in BFT_SCENARIOS:
        for rep in range(args.repeat):
            m = measure(args.dltsim, os.path.join(ROOT, "scenarios", name + ".yaml"), [],
                        os.path.join(tmp, "bench.h5"))
            s = m["summary"]
            row = {
                "scenario": name, "repeat": rep, "replicas": s["replicas"], "decisions": s["decisions"],
                "wall_s": round(m["wall_s"], 2), "rss_mb": round(m["rss_mb"], 1), "events": s["events"],
                "events_per_s": round(s["events"] / m["wall_s"]),
                "messages_per_s": round(s["messages"] / m["wall_s"]),
                "throughput_tps": round(s["throughput_tps"], 1),
                "commit_latency_s": [round(s["commit_latency_mean_s"], 3), round(s["commit_latency_p90_s"], 3)],
                "view_changes": s["view_changes"],
            }
            rows.append(row)
            print(f"| {name} | {row['replicas']} | {row['decisions']} | {row['wall_s']} | {row['rss_mb']} | "
                  f"{row['events']} | {row['events_per_s']} | {row['messages_per_s']} | {row['throughput_tps']} | "
                  f"{' / '.join(map(str, row['commit_latency_s']))} | {row['view_changes']} |", flush=True)
    out = args.json.replace(".json", "-bft.json")
    with open(out, "w") as f:
        json.dump({"runs": rows}, f, indent=1)
    print(f"\nwritten: {out}")


def size(text):
    """NODESxBLOCKS, as in 10000x100."""
    try:
        nodes, blocks = map(int, text.split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not NODESxBLOCKS: {text}")
    return nodes, blocks


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dltsim", default=os.path.join(ROOT, "build", "dltsim"))
    p.add_argument("--scenario", default=os.path.join(ROOT, "scenarios", "bitcoin-2019.yaml"))
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    p.add_argument("--options-at", type=int, default=5000, help="network size for the options comparison (0: skip)")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--json", default=os.path.join(ROOT, "build", "bench.json"))
    p.add_argument("--interrupt", type=int, nargs="+", default=[],
                   help="only measure the time from SIGINT / SIGTERM to exit at these network sizes")
    p.add_argument("--interrupt-after", type=float, default=30, help="seconds into the run to send it")
    p.add_argument("--bft", action="store_true",
                   help="only run the BFT benchmark scenarios (scenarios/pbft-100, hotstuff-1000, tendermint-100)")
    p.add_argument("--peers", action="store_true",
                   help="bitcoin-2019 10,000 x 100 without and with churn and peer management, interleaved")
    p.add_argument("--transactions", action="store_true",
                   help="bitcoin-2019 for an hour with and without its 2019 transaction load (--tx-sizes)")
    p.add_argument("--tx-sizes", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--privacy", action="store_true",
                   help="deanonymise-2019 with and without its supernode (issue 23) at each --privacy-sizes count")
    p.add_argument("--privacy-sizes", type=int, nargs="+", default=[10000])
    p.add_argument("--atlas", choices=("ci", "full"), help="time the threat atlas from nothing at this size")
    p.add_argument("--interconnect", action="store_true",
                   help="two ledgers and a bridge against the two alone (scenarios/interconnect/custodial-exchange.yaml)")
    p.add_argument("--interconnect-nodes", type=int, default=1000, help="nodes per ledger (default 1000)")
    p.add_argument("--interconnect-tx", type=float, default=0.2, help="transactions per second per ledger (default 0.2)")
    p.add_argument("--interconnect-hours", type=float, default=24, help="simulated hours (default 24)")
    p.add_argument("--families", action="store_true",
                   help="GHOST on bitcoin-2019 10,000 x 100, Praos 1,000 x 100,000 slots, ethereum-2019")
    p.add_argument("--scaling", nargs="+", metavar="NODESxBLOCKS",
                   help="only the scaling table: 'default' (1000x1000 10000x100 50000x20 100000x10) or sizes")
    p.add_argument("--simblock", metavar="CHECKOUT",
                   help="with --scaling: also SimBlock (a checkout of github dsg-titech/simblock) against "
                        "bitcoin-2019, in alternating pairs (default $DLTSIM_SIMBLOCK_DIR)")
    p.add_argument("--pairs", type=int, default=2,
                   help="with --simblock: rounds of SimBlock, dltsim, dltsim without contention (default 2)")
    p.add_argument("--simblock-size", type=size, default=(10000, 100), metavar="NODESxBLOCKS",
                   help="with --simblock: the size of the side by side (default 10000x100)")
    args = p.parse_args()
    if args.simblock and not args.scaling:
        p.error("--simblock goes with --scaling")
    args.simblock = (args.simblock or os.environ.get("DLTSIM_SIMBLOCK_DIR", "")) if args.scaling else ""
    if args.simblock and not os.path.isdir(os.path.join(args.simblock, "simulator", "src")):
        p.error(f"not a SimBlock checkout (no simulator/src): {args.simblock}")
    if args.pairs < 1:
        p.error("--pairs must be at least 1")

    if args.scaling:
        bench_scaling(args)
        return
    if args.bft:
        bench_bft(args)
        return
    if args.peers:
        bench_peers(args)
        return
    if args.families:
        bench_families(args)
        return
    if args.interconnect:
        bench_interconnect(args)
        return
    if args.transactions:
        bench_transactions(args)
        return
    if args.privacy:
        bench_privacy(args)
        return
    if args.atlas:
        bench_atlas(args)
        return
    if args.interrupt:
        tmp = tempfile.mkdtemp(prefix="dltsim-bench-")
        print("| nodes | signal after s | signal | exit | signal to exit s | incomplete file kept |")
        print("|---|---|---|---|---|---|")
        for n in args.interrupt:
            for sig in (signal.SIGINT, signal.SIGTERM):
                r = interrupt_latency(args.dltsim, args.scenario, n, args.interrupt_after, sig, tmp)
                print(f"| {n} | {r['after_s']} | {r['signal']} | {r['exit']} | {r['latency_s']} | "
                      f"{r['incomplete_file']} |", flush=True)
        return

    configs = [(f"scaling {n}", [f"network.nodes={n}"]) for n in args.sizes]
    if args.options_at:
        n = f"network.nodes={args.options_at}"
        configs += [
            ("contention none (SimBlock-like)", [n, "network.contention=none"]),
            ("contention upload", [n, "network.contention=upload"]),
            ("contention upload_download", [n, "network.contention=upload_download"]),
            ("every message a flow", [n, "network.flow_threshold=0 B"]),
        ]
    tmp = tempfile.mkdtemp(prefix="dltsim-bench-")
    rows = []
    print("| configuration | nodes | wall s | peak RSS MB | events/s | messages/s | flows | prop p10/p50/p90 s | stale |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, sets in configs:
        for rep in range(args.repeat):
            m = measure(args.dltsim, args.scenario, sets, os.path.join(tmp, "bench.h5"))
            s = m["summary"]
            row = {
                "configuration": name,
                "repeat": rep,
                "nodes": s["nodes"],
                "wall_s": round(m["wall_s"], 2),
                "rss_mb": round(m["rss_mb"], 1),
                "events_per_s": round(s["events"] / m["wall_s"]),
                "messages_per_s": round(s["messages"] / m["wall_s"]),
                "messages": s["messages"],
                "flows": s["flows"],
                "propagation_s": [round(s["propagation_p10_s"], 3), round(s["propagation_p50_s"], 3),
                                  round(s["propagation_p90_s"], 3)],
                "blocks_stale": s["blocks_stale"],
            }
            rows.append(row)
            print(f"| {name} | {row['nodes']} | {row['wall_s']} | {row['rss_mb']} | {row['events_per_s']} | "
                  f"{row['messages_per_s']} | {row['flows']} | {'/'.join(map(str, row['propagation_s']))} | "
                  f"{row['blocks_stale']} |", flush=True)
    with open(args.json, "w") as f:
        json.dump({"scenario": args.scenario, "runs": rows}, f, indent=1)
    print(f"\nwritten: {args.json}")


if __name__ == "__main__":
    main()
