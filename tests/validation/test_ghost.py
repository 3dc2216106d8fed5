"""GHOST and uncles against the delay model, in the idealised network (every block reaches every other
node exactly D after it is sent, no bandwidth) with 200 equal miners and block interval T (rate
lambda = 1/T), first-seen tie-breaking.

Heights come at intervals D + Exp(lambda): the first block found D after the previous new height
starts the next one (nobody has heard of younger blocks), and the blocks found in the D before it are
its siblings. Every node hears the new height's first block first, so it is the one the next height
builds on: the siblings, Poisson(lambda D) per height, are stale, and their parent is on the main
chain. Hence:

- stale rate lambda D / (1 + lambda D), whether the fork choice is the longest chain or GHOST (the
  forks are one block deep, and both keep the first seen among equals);
- uncles per main-chain block lambda D when blocks may reference 2 uncles up to 6 heights below
  (more than 2 siblings at one height has probability 1.5e-4 at lambda D = 0.1);
- a sibling found U after its height began (U uniform on (0, D)) is known to the miner of the next
  height iff that block comes later than U + D, so with probability E[exp(-lambda U)] =
  (1 - exp(-lambda D)) / (lambda D) it is an uncle at distance 1, else at distance 2: mean distance
  2 - (1 - exp(-lambda D)) / (lambda D);
- uncle rewards: each uncle at distance d earns (8 - d) / 8 and its nephew 1 / 32, so the rewards per
  main-chain block are 1 + uncle_rate (1/32 + (8 - mean distance) / 8).

With zero delay nothing forks, so GHOST and the longest chain choose the same main chain (checked
block by block on the same seed). And GHOST's point (Sompolinsky and Zohar 2015): at D = T a pool of
0.4 forking 10 blocks deep wins most races against the longest chain (the honest chain grows at
lambda_h / (1 + lambda_h D) = 0.375 / T < 0.4 / T), but GHOST counts every honest block of the
subtree (0.6 / T), so from 11 blocks behind the pool's chance to ever get ahead is at most
(0.4 / 0.6)^11 = 1.2 % per race (gambler's ruin).

Tolerances: 4 standard errors from batch means over the run (rates) or binomial over the uncles
(distance); with finitely many miners a miner builds on its own young blocks, a bias of order
lambda D / n (0.0005 here), far below them. Win rates: Wilson 95 % intervals.
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


def run(delay, blocks, fork_choice="longest", uncles=2, attack="", seed=7):
    path = os.path.join(d, "ghost.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: {seed}, stop: {{blocks: {blocks}}}}}
network: {{idealised: true, nodes: 200, delay: "{delay} s"}}
consensus:
  protocol: nakamoto
  params: {{block_interval: "{T} s", fork_choice: {fork_choice}, max_uncles: {uncles}}}
{attack}
output: {{record: [blocks, rewards]}}
""")
    out = os.path.join(d, f"ghost-{fork_choice}.h5")
    dltsim("run", path, "-o", out, "-q")
    with h5py.File(out, "r") as f:
        s = {k: (v.item() if hasattr(v, "item") else v) for k, v in f["summary"].attrs.items() if "." not in k}
        blocks_table = f["blocks"][()]
        rewards = f["rewards"][()] if "rewards" in f else None
    return s, blocks_table, rewards


def batch_se(series, batches=50):
    b = np.array_split(np.asarray(series, dtype=float), batches)
    means = np.array([x.mean() for x in b])
    return means.std(ddof=1) / math.sqrt(batches)


delay = 1.0
x = delay / T
p_near = (1 - math.exp(-x)) / x
for fork_choice in ("longest", "ghost"):
    s, blocks, rewards = run(delay, 20000, fork_choice)
    order = np.argsort(blocks["time_s"], kind="stable")
    se = batch_se(1 - blocks["on_main_chain"][order])
    theory = x / (1 + x)
    check(abs(s["stale_rate"] - theory) <= 4 * se,
          f"{fork_choice}: stale rate {s['stale_rate']:.4f} +- {se:.4f} vs lambda D / (1 + lambda D) = {theory:.4f}")
    # Uncles per main-chain block: the siblings of each height, Poisson(lambda D) i.i.d. over heights.
    main_blocks = s["blocks_main"]
    se_u = math.sqrt(x / main_blocks)
    check(abs(s["uncle_rate"] - x) <= 4 * se_u,
          f"{fork_choice}: uncle rate {s['uncle_rate']:.4f} +- {se_u:.4f} vs lambda D = {x:.4f}")
    n_u = s["uncles"]
    dist = 2 - p_near
    se_d = math.sqrt(p_near * (1 - p_near) / n_u)
    check(abs(s["uncle_distance_mean"] - dist) <= 4 * se_d,
          f"{fork_choice}: mean uncle distance {s['uncle_distance_mean']:.4f} +- {se_d:.4f} vs "
          f"2 - (1 - exp(-lambda D)) / (lambda D) = {dist:.4f} ({n_u} uncles)")
    # Rewards: exactly what the yellow paper's rules pay for the uncles the run recorded.
    want = main_blocks + n_u / 32 + n_u * (8 - s["uncle_distance_mean"]) / 8
    check(abs(s["reward_total"] - want) < 1e-6 * want and abs(rewards["total"].sum() - want) < 1e-6 * want,
          f"{fork_choice}: rewards {s['reward_total']:.4f} = main blocks + uncles (1/32 + (8 - d) / 8) = {want:.4f}")
    # Only stale blocks whose parent is on the main chain, 1 to 6 heights below a later main block, qualify.
    main_ids = set(blocks["id"][blocks["on_main_chain"] == 1].tolist()) | {0}
    top = blocks["height"][blocks["on_main_chain"] == 1].max()
    stale = blocks[blocks["on_main_chain"] == 0]
    eligible = sum(1 for p, h in zip(stale["parent"], stale["height"]) if int(p) in main_ids and h < top)
    check(n_u <= eligible, f"{fork_choice}: {n_u} uncles, of {eligible} stale blocks that qualify "
                           f"({len(stale)} stale in all)")

# Zero delay: no fork, the same main chain under both rules.
_, longest, _ = run(0.0, 3000, "longest")
_, ghost, _ = run(0.0, 3000, "ghost")
check(len(longest) == len(ghost) and np.array_equal(longest["id"], ghost["id"])
      and np.array_equal(longest["on_main_chain"], ghost["on_main_chain"]) and longest["on_main_chain"].all(),
      f"D = 0: GHOST and the longest chain give the same main chain ({int(ghost['on_main_chain'].sum())} blocks, "
      f"none stale)")

# The private chain at D = T: the longest chain loses most races, GHOST almost none.
deep = """attacks:
  - attack: private_chain
    nodes: {ids: [0]}
    params: {alpha: 0.4, fork_depth: 10, give_up_deficit: 60, publish_lead: 3}"""
against = {}
for fork_choice in ("longest", "ghost"):
    s, _, _ = run(T, 20000, fork_choice, uncles=0, attack=deep)
    against[fork_choice] = s
    print(f"      {fork_choice}: the pool won {s['private_chain_won']} of {s['private_chain_attempts']} races "
          f"[{s['private_chain_win_rate_ci_low']:.3f}, {s['private_chain_win_rate_ci_high']:.3f}]")
bound = (0.4 / 0.6) ** 11
check(against["longest"]["private_chain_win_rate"] > 0.5,
      "alpha 0.4, D = T, 10 deep: against the longest chain the pool wins most races")
check(against["ghost"]["private_chain_win_rate_ci_low"] <= bound
      and against["ghost"]["private_chain_win_rate_ci_high"] < against["longest"]["private_chain_win_rate_ci_low"],
      f"against GHOST it wins {against['ghost']['private_chain_win_rate']:.4f} (at most (0.4/0.6)^11 = {bound:.4f} "
      f"per race), fewer than against the longest chain")
done()
