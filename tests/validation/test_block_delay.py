"""The delay attack against Bitcoin Core's block download timeout (issue 12).

A node that requested a block waits one block interval (plus half an interval per other peer it is
downloading a block from) before asking another peer that announced it (Bitcoin Core's
BLOCK_DOWNLOAD_TIMEOUT_BASE and _PER_PEER). An attacker on all of a victim's connections holds back
the blocks coming to it by D:

- D = 300 s, under the 600 s timeout: the victim waits for the held block and gets every block
  exactly D later than in the same run without the attack (same seed; its first announcer is the
  same, since nothing before the victim's own arrival depends on the victim), and never asks a second
  peer: the network sends no getdata beyond one per block received;
- D = 900 s, over the timeout: after 600 s the victim asks the next announcer (whose block is held
  too), so it sends one more getdata per block, and still gets the first copy D later. This case sets
  the per-peer term to 0: with Bitcoin Core's 0.5 a block requested while an earlier one is still
  held waits 900 s or more, and whether it asks again depends on how blocks overlap.

Exact up to floating-point rounding (1e-6 s). The victim is the best-connected node (top_degree: 1),
so every block reaches it from several peers; blocks it mined itself are left out.
"""

import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, workdir  # noqa: E402

d = workdir()


def run(attack="", per_peer=0.5):
    path = os.path.join(d, "delay.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: 2, stop: {{blocks: 20}}}}
network: {{preset: bitcoin-2019, nodes: 300}}
consensus:
  protocol: nakamoto
  params: {{block_interval: "600 s", compact_blocks: false, download_timeout_per_peer: {per_peer}}}
{attack}
output: {{record: [arrivals, blocks, nodes]}}
""")
    out = os.path.join(d, "delay.h5")
    dltsim("run", path, "-o", out, "-q")
    with h5py.File(out, "r") as f:
        s = dict(f["summary"].attrs)
        return f["arrivals"][()], f["blocks"][()], f["nodes"][()], s


base_arrivals, blocks, nodes, base = run()
victim = int(np.lexsort((nodes["id"], -nodes["degree"].astype(np.int64)))[0])
own = set(blocks["id"][blocks["miner"] == victim])


def victim_delays(arrivals):
    a = arrivals[(arrivals["node"] == victim) & (arrivals["late"] == 0)]
    return {int(b): float(x) for b, x in zip(a["block"], a["delay_s"]) if int(b) not in own}


before = victim_delays(base_arrivals)
check(len(before) >= 15, f"the victim (node {victim}, degree {nodes['degree'][victim]}) receives {len(before)} blocks")
for delay, extra_getdata, per_peer in ((300, 0, 0.5), (900, 1, 0)):
    arrivals, _, _, s = run(f"attacks: [{{attack: delay, nodes: {{top_degree: 1}}, params: {{delay: '{delay} s'}}}}]",
                            per_peer)
    after = victim_delays(arrivals)
    diffs = np.array([after[b] - before[b] for b in before if b in after])
    check(len(diffs) == len(before) and np.allclose(diffs, delay, rtol=0, atol=1e-6),
          f"D = {delay} s: every block reaches the victim exactly D later ({diffs.min():.6f} to {diffs.max():.6f} s)")
    # Requests beyond one per block received (the baseline has none: every request is answered in time).
    # Counted this way because the late victim's own blocks may go stale and reach fewer nodes.
    surplus = int(s["messages_getdata"]) - int(s["arrivals"])
    base_surplus = int(base["messages_getdata"]) - int(base["arrivals"])
    want = extra_getdata * len(before)
    check(base_surplus == 0 and surplus == want,
          f"D = {delay} s: {surplus} requests beyond one per block received (want {want}: "
          f"{'no second request' if extra_getdata == 0 else 'a second request per block after the 600 s timeout'})")
    check(s["delay_held_back"] >= len(before), f"D = {delay} s: {s['delay_held_back']} block messages held back")
done()
