"""Churn (network.churn) against the alternating renewal process and the mining it leaves (issue 12).

Half of 400 bitcoin-2019 nodes with equal hashrate alternate online sessions ~ Exp(mean S = 2 h) and
offline times ~ Exp(mean D = 1 h), starting online; 1,500 blocks at a 600 s interval (about 300 h).

- Offline share: for one node starting online, P(offline at t) = D / (S + D) (1 - exp(-l t)) with
  l = 1 / S + 1 / D, so its expected offline share over [0, T] is
  D / (S + D) (1 - (1 - exp(-l T)) / (l T)). Nodes are independent: the mean over the 200 churning
  nodes must lie within 4 standard errors (their sample SD / sqrt(200)) of that.
- Mining stops offline: given each node's time online, blocks come as a Poisson process of rate
  sum_i p_i online_i / tau, so the 1,500 blocks must lie within 4 sqrt(L) of L = sum_i p_i online_i / tau
  (T taken at the last block, when churn stops).
- Catch-up: a node back online announces its head to its peers and they theirs (Bitcoin Core on a
  new connection), and a node whose peer left re-asks another at once: every node online at the end
  has the final main-chain head, no node offline at the end has it.
- Without churn the nodes table says nobody was ever offline.
"""

import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, workdir  # noqa: E402

d = workdir()
S, D, TAU, BLOCKS = 7200.0, 3600.0, 600.0, 1500


def run(churn=True):
    path = os.path.join(d, "churn.yaml")
    churn_yaml = f'churn: {{fraction: 0.5, session: "{S} s", downtime: "{D} s"}}' if churn else ""
    with open(path, "w") as f:
        f.write(f"""general: {{seed: 3, stop: {{blocks: {BLOCKS}}}}}
network:
  preset: bitcoin-2019
  nodes: 400
  {churn_yaml}
consensus: {{protocol: nakamoto, params: {{block_interval: "{TAU} s"}}, power: {{distribution: equal}}}}
output: {{record: [nodes, blocks, arrivals]}}
""")
    out = os.path.join(d, "churn.h5")
    dltsim("run", path, "-o", out, "-q")
    with h5py.File(out, "r") as f:
        return f["nodes"][()], f["blocks"][()], f["arrivals"][()], dict(f["summary"].attrs)


nodes, blocks, arrivals, s = run()
T = float(blocks["time_s"].max())  # churn stops with production, at the last block
churning = nodes[nodes["offline_s"] > 0]
check(abs(len(churning) - 200) <= 2, f"{len(churning)} of 400 nodes churned (200 asked; a node may never have left)")
lam = 1 / S + 1 / D
expected = D / (S + D) * (1 - (1 - math.exp(-lam * T)) / (lam * T))
share = np.minimum(churning["offline_s"], T) / T
se = share.std(ddof=1) / math.sqrt(len(share))
check(abs(share.mean() - expected) <= 4 * se,
      f"offline share {share.mean():.4f} +- {se:.4f} against the renewal process's {expected:.4f}")

online_s = T - np.minimum(nodes["offline_s"], T)
rate = float((nodes["power_share"] * online_s).sum()) / TAU
produced = int(s["blocks_produced"])
check(abs(produced - rate) <= 4 * math.sqrt(rate),
      f"{produced} blocks against sum p_i online_i / tau = {rate:.1f} (+- {4 * math.sqrt(rate):.1f})")
check(rate < 0.9 * T / TAU, f"churn took hashrate away: {rate:.0f} < {T / TAU:.0f} blocks without it")

main = blocks[blocks["on_main_chain"] == 1]
head = int(main["id"][np.argmax(main["height"])])
have = set(int(n) for n in arrivals["node"][arrivals["block"] == head]) | {int(blocks["miner"][blocks["id"] == head][0])}
online = set(int(i) for i in nodes["id"][nodes["online"] == 1])
check(online <= have, f"every node online at the end has the head ({len(online - have)} missing of {len(online)})")
check(not (have - online), f"no offline node has it ({len(have - online)})")

plain_nodes, _, _, _ = run(churn=False)
check(plain_nodes["offline_s"].max() == 0 and plain_nodes["online"].min() == 1, "without churn nobody is ever offline")

# Restart (attack `restart`): nodes 0-49 of 200 (a quarter of the hashrate) are down from 2 h to 12 h.
path = os.path.join(d, "restart.yaml")
with open(path, "w") as f:
    f.write("""general: {seed: 5, stop: {time: "20 h"}}
network: {preset: bitcoin-2019, nodes: 200}
consensus: {protocol: nakamoto, params: {block_interval: "600 s"}, power: {distribution: equal}}
attacks: [{attack: restart, nodes: {ids: [""" + ", ".join(str(i) for i in range(50)) + """]}, start: "2 h", end: "12 h"}]
output: {record: [nodes, blocks, arrivals]}
""")
out = os.path.join(d, "restart.h5")
dltsim("run", path, "-o", out, "-q")
with h5py.File(out, "r") as f:
    rb, ra, rn = f["blocks"][()], f["arrivals"][()], f["nodes"][()]
window = rb[(rb["time_s"] >= 7200) & (rb["time_s"] < 43200)]
check(not np.any(window["miner"] < 50), f"no block by a restarted node while down ({len(window)} blocks by the others)")
lam = 0.75 * 36000 / TAU
check(abs(len(window) - lam) <= 4 * math.sqrt(lam), f"{len(window)} blocks while down against {lam:.0f} +- {4 * math.sqrt(lam):.0f}")
check(np.allclose(rn["offline_s"][:50], 36000) and rn["online"].min() == 1, "down exactly 10 h, all back online")
main = rb[rb["on_main_chain"] == 1]
head = int(main["id"][np.argmax(main["height"])])
have = set(int(n) for n in ra["node"][ra["block"] == head]) | {int(rb["miner"][rb["id"] == head][0])}
check(len(have) == 200, f"after the restart every node has the head ({len(have)} of 200)")
done()
