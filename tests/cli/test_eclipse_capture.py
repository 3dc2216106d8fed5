"""Eclipse with selfish mining on the same nodes, using the eclipsed miners' power (issue 12).

300 bitcoin-2019 nodes with equal hashrate and address tables (4 outbound, no anchors); the 150
best-connected nodes run SM1 with alpha = 0.2 and the eclipse attack (40 victims, restart after 2 h,
blocks: capture); 3,000 blocks. After the restart every eclipsed victim is captured: it is fed the
pool's private chain and its blocks that extend it count as the pool's.

- The eclipsed victims are the captured ones (summary).
- Captured blocks join the pool's race: most of them end on the main chain (at least 80 %; the rest
  were mined on a head the pool had already moved past), unlike the honest nodes' under SM1.
- The pool plus its captured miners earn more of the main chain than the pool alone in the same
  network and seed without the eclipse: by more than 4 combined standard errors (batch means over
  20 batches of the main chain after the restart).
- A capture without a private-chain attack on the same nodes is an error naming what is missing.
"""

import math
import os

import h5py
import numpy as np

from clitest import check, dltsim, done, workdir

d = workdir()
T_RESTART = 600 + 7200 + 60  # start + wait + downtime


def run(eclipse, blocks=3000):
    path = os.path.join(d, "capture.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: 5, stop: {{blocks: {blocks}}}}}
network:
  preset: bitcoin-2019
  nodes: 300
  contention: none
  peers: {{outbound: 4, block_relay_only: 0, anchors: false}}
consensus: {{protocol: nakamoto, power: {{distribution: equal}}}}
attacks:
  - attack: selfish_mining
    nodes: {{top_degree: 150}}
    params: {{alpha: 0.2}}
{eclipse}
output: {{record: [nodes, blocks{", eclipse" if eclipse else ""}]}}
""")
    out = os.path.join(d, "capture.h5")
    r = dltsim("run", path, "-o", out, "-q", check=False)
    if r.returncode != 0:
        return None, r.stderr.strip()
    with h5py.File(out, "r") as f:
        return {k: f[k][()] for k in f.keys() if k not in ("summary", "provenance")}, dict(f["summary"].attrs)


ECLIPSE = """  - attack: eclipse
    nodes: {top_degree: 150}
    start: 10 min
    params: {victims: 40, wait: 2 h, addr_messages: 30, blocks: capture}"""


def share(t, miners):
    b = t["blocks"]
    main = b[(b["on_main_chain"] == 1) & (b["time_s"] > T_RESTART)]
    x = np.isin(main["miner"], list(miners)).astype(float)
    k = 20
    batches = x[: len(x) // k * k].reshape(k, -1).mean(axis=1)
    return x.mean(), batches.std(ddof=1) / math.sqrt(k)


t, s = run(ECLIPSE)
ps = t["nodes"]["power_share"]
pool = set(int(i) for i in t["nodes"]["id"][np.isclose(ps, ps.min())])
captured = set(int(v) for v, e in zip(t["eclipse"]["victim"], t["eclipse"]["eclipsed_at_restart"]) if e)
check(len(pool) == 150 and 0 < len(captured) == s["eclipse_captured"],
      f"{s['eclipse_captured']} eclipsed victims captured by the pool of {len(pool)} nodes")
b = t["blocks"]
theirs = b[np.isin(b["miner"], list(captured)) & (b["time_s"] > T_RESTART)]
on_main = theirs["on_main_chain"].mean()
check(len(theirs) > 0 and on_main >= 0.8, f"{len(theirs)} blocks by captured miners, {100 * on_main:.1f} % on the main chain")
with_capture, se1 = share(t, pool | captured)

t0, s0 = run("")
alone, se0 = share(t0, pool)
gap = with_capture - alone
check(gap > 4 * math.sqrt(se0 ** 2 + se1 ** 2),
      f"pool with its captured miners {with_capture:.4f} +- {se1:.4f} of the main chain, alone {alone:.4f} +- {se0:.4f}")

path = os.path.join(d, "bad.yaml")
with open(path, "w") as f:
    f.write("""general: {seed: 5, stop: {time: 3 h}}
network: {preset: bitcoin-2019, nodes: 100, peers: {}}
consensus: {protocol: nakamoto}
attacks: [{attack: eclipse, nodes: {count: 30}, params: {victims: 20, wait: 1 h, blocks: capture}}]
""")
r = dltsim("run", path, "-q", "-o", os.path.join(d, "bad.h5"), check=False)
check(r.returncode != 0 and "private-chain attack" in r.stderr,
      f"capture without a pool: exit {r.returncode}: {r.stderr.strip()[-160:]}")
done()
