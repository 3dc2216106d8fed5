"""The textbook delay models against their closed forms, in the idealised network with a fixed
delay D per message (every block reaches every other node D after it is sent, no bandwidth) and
block interval T (rate lambda = 1/T), with 200 equal miners.

- Stale rate: a new height appears at the first block found D after the previous new height (the
  miners have not heard of blocks younger than D), so heights come at intervals D + Exp(lambda) and
  the stale rate is lambda D / (1 + lambda D). With finitely many miners a miner builds on its own
  young blocks: a bias of order lambda D / n, 0.005 at n = 200, below the tolerance.
- Honest chain growth while a private-chain pool is silent: lambda_h / (1 + lambda_h D), the rate
  the security threshold of the longest-chain rule compares with the attacker's (Pass, Seeman and
  Shelat 2017; Dembo et al. 2020).
- The threshold itself: at alpha = 0.4 and D = T the honest chain grows at 0.375 / T, slower than
  the pool's 0.4 / T, so a pool forking 10 blocks deep wins most races; without delay it almost
  never does ((q/p)^13 = 0.5 % per race from 10 behind to 3 ahead). The pool publishes 3 blocks
  ahead: it hears of honest blocks D late, and a lead of one is often gone when its blocks arrive.

Tolerances: 4 standard errors, from batch means over the run (stale rate) or from the Poisson count
of the blocks involved (growth); win rates by non-overlapping Wilson 95 % intervals.
"""

import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, workdir  # noqa: E402

d = workdir()
T = 10.0


def run(delay, blocks, attack="", seed=7):
    path = os.path.join(d, "delay.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: {seed}, stop: {{blocks: {blocks}}}}}
network: {{idealised: true, nodes: 200, delay: "{delay} s"}}
consensus: {{protocol: nakamoto, params: {{block_interval: "{T} s"}}}}
{attack}
output: {{record: [blocks]}}
""")
    out = os.path.join(d, "delay.h5")
    dltsim("run", path, "-o", out, "-q")
    with h5py.File(out, "r") as f:
        s = {k: (v.item() if hasattr(v, "item") else v) for k, v in f["summary"].attrs.items() if "." not in k}
        blocks_table = f["blocks"][()]
    return s, blocks_table


def batch_se(series, batches=50):
    series = np.asarray(series, dtype=float)
    b = np.array_split(series, batches)
    means = np.array([x.mean() for x in b])
    return means.std(ddof=1) / math.sqrt(batches)


for delay in (1.0, 5.0, 10.0):
    s, blocks = run(delay, 20000)
    x = delay / T
    theory = x / (1 + x)
    order = np.argsort(blocks["time_s"], kind="stable")
    se = batch_se(1 - blocks["on_main_chain"][order])
    check(abs(s["stale_rate"] - theory) <= 4 * se,
          f"D = {delay:g} s, T = {T:g} s: stale rate {s['stale_rate']:.4f} +- {se:.4f} vs lambda D / (1 + lambda D) "
          f"= {theory:.4f}")

# Honest growth with a silent pool: it publishes after a day, by which time the run is over.
silent = """attacks:
  - attack: private_chain
    nodes: {ids: [0]}
    params: {alpha: 0.3, publish: at_time, publish_after: "100 d", give_up_deficit: 1000000}"""
for delay in (0.0, 10.0):
    s, blocks = run(delay, 20000, silent)
    lam_h = 0.7 / T
    theory = lam_h / (1 + lam_h * delay)
    rate = s["private_chain_public_growth_per_s"]
    # The public height gained is a count of about rate x time renewals: Poisson-like error.
    duration = s["end_time_s"]
    se = math.sqrt(rate * duration) / duration
    check(abs(rate - theory) <= 4 * se,
          f"D = {delay:g} s: honest chain growth {rate:.5f} +- {se:.5f} /s vs lambda_h / (1 + lambda_h D) = {theory:.5f}")
    check(s["private_chain_theory_public_growth_per_s"] == theory, "  the summary reports the same closed form")

# The threshold: alpha 0.4, forks 10 blocks deep, with and without delay.
deep = """attacks:
  - attack: private_chain
    nodes: {ids: [0]}
    params: {alpha: 0.4, fork_depth: 10, give_up_deficit: 60, publish_lead: 3}"""
slow, _ = run(10.0, 20000, deep)
fast, _ = run(0.0, 20000, deep)
check(slow["private_chain_win_rate_ci_low"] > fast["private_chain_win_rate_ci_high"],
      f"alpha 0.4, 10 deep: delay D = T lets the pool win {slow['private_chain_win_rate']:.3f} of "
      f"{slow['private_chain_attempts']} races [{slow['private_chain_win_rate_ci_low']:.3f}, "
      f"{slow['private_chain_win_rate_ci_high']:.3f}], no delay {fast['private_chain_win_rate']:.3f} of "
      f"{fast['private_chain_attempts']} [{fast['private_chain_win_rate_ci_low']:.3f}, "
      f"{fast['private_chain_win_rate_ci_high']:.3f}]")
check(slow["private_chain_win_rate"] > 0.5, "  with delay the pool wins most races: below half the hashrate")
done()
