"""The transaction layer against closed forms.

1. Confirmation as the bulk-service queue M/M^[b]/1 (Bailey 1954): one miner, every transaction
   created at the miner (no relay delay), equal fees and sizes (first come, first served), blocks of
   at most b = 20 transactions found as a Poisson process (10 s). The mean time from creation to the
   block that takes it is W = r / ((1 - r) lambda), r the root in (0, 1) of
   mu r^(b+1) - (lambda + mu) r + lambda = 0 (`dltsim theory bulk_service_queue`). Tolerance: 4
   standard errors of the simulated mean, by batch means over 50 batches of transactions in creation
   order (the delays of neighbours are correlated through the queue); the first and last 5 % of the
   run are left out (the queue starts empty; the last transactions are not all confirmed yet).
   Loads 0.5 and 0.9. The share of empty blocks is checked against 1 - r the same way.

2. Trickle timers (Bitcoin Core): node 5 of a complete graph of 10 opened connections to nodes 6-9
   (outbound: a Poisson timer each, mean 2 s) and accepted them from 0-4 (inbound: one shared timer,
   mean 5 s). With every message taking 100 s, each peer's first copy comes from node 5 itself, 300 s
   (inv, getdata, tx) after node 5's timer for it fired. Competing exponential timers give:
   P(the inbound tick comes before all four outbound ones) = (1/5) / (4/2 + 1/5) = 1/11; the mean
   number of outbound peers served before the inbound group = 4 (1/2) / (1/2 + 1/5) = 20/7; mean waits
   5 s and 2 s; all five inbound peers are served at the same instant. Tolerance: 4 binomial or
   sample standard errors.
"""

import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, workdir  # noqa: E402

d = workdir()


def theory(tx_per_s, interval_s, b):
    out = dltsim("theory", "bulk_service_queue", f"tx_per_s={tx_per_s}", f"block_interval={interval_s} s",
                 f"capacity={b}").stdout
    values = dict(line.split(None, 1) for line in out.strip().splitlines())
    return float(values["mean_delay_s"].split()[0]), float(values["root"])


def batch_se(series, batches=50):
    means = [x.mean() for x in np.array_split(series, batches)]
    return float(np.std(means, ddof=1) / np.sqrt(batches))


QUEUE = """
general: {{seed: {seed}, stop: {{blocks: {blocks}}}}}
network: {{idealised: true, nodes: 2}}
consensus:
  protocol: nakamoto
  params: {{block_interval: 10 s}}
  power: {{distribution: shares, shares: [1, 0]}}
transactions:
  tx_per_s: {rate}
  origin: shares
  origin_shares: [1, 0]
  size_law: fixed
  size: 250 B
  fee_law: fixed
  fee_rate_sat_vb: 10
  block_capacity: 5000 B
  template_refresh: 0 s
  sample_nodes: 0
output: {{record: [transactions, blocks]}}
"""

for load, blocks, seed in ((0.5, 60000, 11), (0.9, 200000, 12)):
    rate = load * 20 / 10
    path = os.path.join(d, f"queue-{load}.yaml")
    with open(path, "w") as f:
        f.write(QUEUE.format(seed=seed, blocks=blocks, rate=rate))
    out = os.path.join(d, f"queue-{load}.h5")
    dltsim("run", path, "-o", out, "-q")
    with h5py.File(out, "r") as h:
        t = h["transactions"][:]
        b = h["blocks"][:]
    end = t["created_s"].max()
    middle = (t["created_s"] > 0.05 * end) & (t["created_s"] < 0.95 * end)
    delays = t["confirmation_delay_s"][middle]
    check(not np.isnan(delays).any(), f"load {load}: every transaction of the middle 90 % was confirmed")
    w, r = theory(rate, 10, 20)
    se = batch_se(delays)
    check(abs(delays.mean() - w) <= 4 * se,
          f"load {load}: mean confirmation delay {delays.mean():.2f} +- {se:.2f} s vs M/M^[b]/1 {w:.2f} s")
    # Transactions per block from the block size: header 80 + count 1 + coinbase 250 + 250 each.
    per_block = (b["size_bytes"].astype(np.int64) - 331) // 250
    check(per_block.max() == 20 and per_block.min() >= 0, f"load {load}: blocks hold 0 to 20 transactions")
    bm = (b["time_s"] > 0.05 * end) & (b["time_s"] < 0.95 * end)
    empty = (per_block[bm] == 0).astype(float)
    se_e = batch_se(empty)
    check(abs(empty.mean() - (1 - r)) <= 4 * se_e,
          f"load {load}: empty blocks {empty.mean():.4f} +- {se_e:.4f} vs 1 - r = {1 - r:.4f}")

TRICKLE = """
general: {seed: 5, stop: {time: 16000 s}}
network: {idealised: true, nodes: 10, delay: 100 s}
consensus:
  protocol: nakamoto
  params: {block_interval: 100000000 s}
transactions:
  tx_per_s: 0.5
  origin: shares
  origin_shares: [0, 0, 0, 0, 0, 1]
  size_law: fixed
  size: 250 B
  fee_law: fixed
  overload: true
  nonpreferred_delay: 0 s
  arrivals_fraction: 1
  sample_nodes: 0
output: {record: [transactions, tx_arrivals]}
"""
path = os.path.join(d, "trickle.yaml")
with open(path, "w") as f:
    f.write(TRICKLE)
out = os.path.join(d, "trickle.h5")
dltsim("run", path, "-o", out, "-q")
with h5py.File(out, "r") as h:
    a = h["tx_arrivals"][:]
    created = h["transactions"]["created_s"][:]
first = a[a["from"] == 5]
order = np.lexsort((first["node"], first["tx"]))
first = first[order]
waits = {}
for row in first:
    waits.setdefault(int(row["tx"]), {})[int(row["node"])] = row["time_s"] - created[row["tx"]] - 300
complete = [w for w in waits.values() if len(w) == 9]
n = len(complete)
inbound = np.array([[w[i] for i in range(5)] for w in complete])
outbound = np.array([[w[i] for i in range(6, 10)] for w in complete])
check(n > 6000 and np.all(inbound.max(axis=1) - inbound.min(axis=1) < 1e-9),
      f"{n} transactions: the five inbound peers are always served at one instant (one shared timer)")
first_in = inbound[:, 0] < outbound.min(axis=1)
p = first_in.mean()
se = np.sqrt((1 / 11) * (10 / 11) / n)
check(abs(p - 1 / 11) <= 4 * se, f"P(inbound tick first) {p:.4f} vs 1/11 = {1 / 11:.4f} (SE {se:.4f})")
before = (outbound < inbound[:, :1]).sum(axis=1)
se = before.std(ddof=1) / np.sqrt(n)
check(abs(before.mean() - 20 / 7) <= 4 * se, f"outbound peers served before the inbound group {before.mean():.3f} vs 20/7")
for name, series, mean in (("inbound", inbound[:, 0], 5.0), ("outbound", outbound.ravel(), 2.0)):
    se = series.std(ddof=1) / np.sqrt(len(series))
    check(abs(series.mean() - mean) <= 4 * se, f"{name} timer mean {series.mean():.3f} +- {se:.3f} s vs {mean} s")
done()
