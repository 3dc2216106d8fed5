"""Simulation against theory, through the command line:
- blocks mined per miner follow hashrate shares (binomial, within 3 standard deviations);
- the stale rate grows with block size and falls with the block interval (differences beyond
  3 standard errors of the difference of two proportions).
"""

import math
import os

import h5py

from clitest import check, dltsim, done, scenario, summary, workdir

d = workdir()

# --- blocks per miner ---------------------------------------------------------------------------
shares = [0.4, 0.3, 0.2, 0.1]
n_blocks = 4000
miners = os.path.join(d, "miners.yaml")
with open(miners, "w") as f:
    f.write(f"""
general: {{seed: 11, stop: {{blocks: {n_blocks}}}}}
network:
  nodes: 50
  regions: [{{name: A, share: 1, download: unlimited, upload: unlimited}}]
  latency: {{uniform: "0 s"}}
consensus:
  protocol: nakamoto
  params: {{block_interval: "600 s"}}
  power: {{distribution: shares, shares: {shares}}}
""")
out = os.path.join(d, "miners.h5")
dltsim("run", miners, "-o", out, "--no-progress")
with h5py.File(out, "r") as f:
    produced = {int(r["node"]): int(r["blocks_produced"]) for r in f["miners"][:]}
    check(int(f["summary"].attrs["blocks_stale"]) == 0, "no stale blocks at zero delay")
for node, p in enumerate(shares):
    k = produced.get(node, 0)
    sd = math.sqrt(n_blocks * p * (1 - p))
    check(abs(k - n_blocks * p) <= 3 * sd,
          f"miner {node} with share {p}: {k} blocks, expected {n_blocks * p:.0f} +- {3 * sd:.0f} (3 sd)")
check(sum(produced.get(i, 0) for i in range(4, 50)) == 0, "nodes without hashrate mine nothing")

# --- stale rate against block size and interval ---------------------------------------------------
def stale(size, interval, blocks=400):
    path = os.path.join(d, f"stale-{size}-{interval}.h5".replace(" ", ""))
    dltsim("run", scenario("quickstart.yaml"), "-o", path, "--no-progress",
           "--set", "network.nodes=500",
           "--set", f"general.stop.blocks={blocks}",
           "--set", f"consensus.params.block_size={size}",
           "--set", f"consensus.params.block_interval={interval}",
           "--set", "consensus.params.compact_blocks=false")
    s = summary(path)
    return s["blocks_stale"] / s["blocks_produced"], s["blocks_produced"]


def differs(a, b):
    """a's stale rate exceeds b's by more than 3 standard errors of the difference."""
    (pa, na), (pb, nb) = a, b
    se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    return pa - pb > 3 * se, f"{pa:.3f} vs {pb:.3f} (3 SE = {3 * se:.3f})"


small_fast = stale("100 KB", "30 s")
large_fast = stale("4 MB", "30 s")
large_slow = stale("4 MB", "300 s")
ok, text = differs(large_fast, small_fast)
check(ok, "stale rate grows with block size at 30 s blocks: " + text)
ok, text = differs(large_fast, large_slow)
check(ok, "stale rate falls with the block interval at 4 MB blocks: " + text)
done()
