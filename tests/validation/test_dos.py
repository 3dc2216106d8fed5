"""The bandwidth DoS against the max-min bandwidth model (issue 12).

Two nodes, one connection, node 0 mines every block and sends it whole (no compact blocks) to node 1;
download d = 10 Mbit/s, upload u = 20 Mbit/s everywhere, 10 ms latency. A block of S bytes alone
takes 8 S / min(u, d) to transfer. With m flood transfers on a link, max-min sharing gives the block
transfer min(share of the flooded link, the other link):
- node 1's download flooded (m = 3): min(u, d / (m + 1)) = 2.5 Mbit/s, so each block arrives
  8 S (1 / 2.5 - 1 / 10) Mbit later than without the attack (2.4 s per MB);
- node 0's upload flooded (m = 3): min(u / (m + 1), d) = 5 Mbit/s: 8 S (1 / 5 - 1 / 10) later;
- node 0's upload flooded with m = 1: min(10, 10) = 10 Mbit/s, no change at all (the download is
  still the bottleneck);
- a flood that ends before the first block changes nothing.
Everything else in the runs is the same (same seed: same mining times), so the differences are exact
up to floating-point rounding (1e-6 s). The small messages (inv, getdata) are not flows and do not
see the flood: that is the transport's shortcut, and why the predicted difference is the block's
transfer alone.
"""

import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, workdir  # noqa: E402

d = workdir()
D, U = 10e6, 20e6


def run(attack=""):
    path = os.path.join(d, "dos.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: 4, stop: {{blocks: 5}}}}
network:
  nodes: 2
  regions: [{{name: X, share: 1, download: "10 Mbit/s", upload: "20 Mbit/s"}}]
  latency: {{uniform: "10 ms"}}
  topology: {{outbound: 1}}
consensus:
  protocol: nakamoto
  params: {{block_interval: "600 s", block_size: "1 MB", compact_blocks: false}}
  power: {{distribution: shares, shares: [1.0]}}
{attack}
output: {{record: [arrivals, blocks]}}
""")
    out = os.path.join(d, "dos.h5")
    dltsim("run", path, "-o", out, "-q")
    with h5py.File(out, "r") as f:
        arrivals = f["arrivals"][()]
        blocks = f["blocks"][()]
    at_1 = arrivals[arrivals["node"] == 1]
    return at_1["delay_s"][np.argsort(at_1["block"])], blocks["size_bytes"][blocks["id"] > 0][0]


base, size = run()
check(len(base) == 5, f"node 1 receives the 5 blocks ({len(base)})")
bits = 8.0 * size
for name, attack, rate in [
    ("download of node 1, 3 floods", "attacks: [{attack: dos, nodes: {ids: [1]}, params: {flows: 3}}]", D / 4),
    ("upload of node 0, 3 floods",
     "attacks: [{attack: dos, nodes: {ids: [0]}, params: {flows: 3, direction: upload}}]", min(U / 4, D)),
    ("upload of node 0, 1 flood",
     "attacks: [{attack: dos, nodes: {ids: [0]}, params: {flows: 1, direction: upload}}]", min(U / 2, D)),
    ("both links of both nodes, 3 floods, ended before the first block",
     "attacks: [{attack: dos, nodes: {ids: [0, 1]}, end: '1 s', params: {flows: 3, direction: both}}]",
     min(U, D)),
]:
    got, _ = run(attack)
    want = bits / rate - bits / min(U, D)
    diff = got - base
    check(np.allclose(diff, want, rtol=0, atol=1e-6),
          f"{name}: blocks {want:.3f} s later as max-min predicts (got {', '.join(f'{x:.6f}' for x in diff)})")

path = os.path.join(d, "bad.yaml")
with open(path, "w") as f:
    f.write("""general: {stop: {blocks: 1}}
network: {preset: bitcoin-2019, nodes: 50, contention: none}
consensus: {protocol: nakamoto}
attacks: [{attack: dos, nodes: {count: 1}}]
""")
r = dltsim("validate", path, check=False)
check(r.returncode != 0 and "bad.yaml:4" in r.stderr and "contention" in r.stderr,
      f"a DoS without shared links is an error at the attack's line: {r.stderr.strip()}")
done()
