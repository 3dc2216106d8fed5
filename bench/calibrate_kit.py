#!/usr/bin/python3
"""Block and transaction propagation of bitcoin-2019 with its 2019 transaction load, measured as the
KIT DSN monitor measured the 2019 network (dltsim.calibration), beside the monitor's figures
(docs/reference/kit-dsn-2019.md).

    bench/calibrate_kit.py [--nodes 1000] [--hours 3] [--seed 1]
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "python"))
import dltsim  # noqa: E402
from dltsim.calibration import KIT_2019, monitor_propagation, monitor_tx_propagation  # noqa: E402

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--nodes", type=int, default=1000)
p.add_argument("--hours", type=float, default=3)
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()
start = time.monotonic()
with dltsim.run(dltsim.scenario("bitcoin-2019-transactions"), seed=a.seed, progress=False,
                overrides={"network.nodes": a.nodes, "general.stop.time": f"{a.hours} h",
                           "transactions.arrivals_fraction": 0.02}) as r:
    blocks, txs = monitor_propagation(r), monitor_tx_propagation(r)
    s = r.summary
wall = time.monotonic() - start
print(f"bitcoin-2019 + 2019 load: {a.nodes} nodes, {a.hours} h, seed {a.seed}: {len(blocks)} blocks, "
      f"{len(txs)} sampled transactions, {wall:.0f} s wall")
print(f"{'':14} {'dltsim median':>14} {'KIT 2019 median':>16} {'KIT 25-75 %':>16}")
for kind, table in (("block", blocks), ("tx", txs)):
    for q in ("p50_s", "p90_s", "p99_s"):
        lo, hi = KIT_2019[f"{kind}_iqr"][q]
        print(f"{kind + ' ' + q:14} {table[q].median():14.3f} {KIT_2019[kind][q]:16.3f} {lo:7.3f}-{hi:<8.3f}")
print(f"compact blocks rebuilt without a round trip: {s['compact_reconstruction_rate']:.3f}")
