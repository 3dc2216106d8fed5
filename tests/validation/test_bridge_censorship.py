"""Fraud proofs kept out of blocks (docs/interconnect.md): an optimistic bridge with a 3-minute window
on a destination with 60 s blocks, whose watchers' transactions a pool with share a leaves out of
its blocks (the censorship attack, victims: the watchers' nodes). A forged claim goes through when no
block that takes the proof comes within the window after the claim's block: with the proof sent at
once (idealised network, fast relay), probability exp(-(1 - a) W / T). The test holds the share of
forged claims accepted against it at a = 0 (no censorship: e^-3) and a = 0.7 (e^-0.9), within 4
standard deviations that are cluster-robust (claims decided by the same block share their fate).
"""

import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, workdir  # noqa: E402

d = workdir()
W, T = 180.0, 60.0


def write(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


fast = """transactions: {tx_per_s: 0.01, template_refresh: 0 s, inbound_interval: 10 ms, outbound_interval: 10 ms,
               nonpreferred_delay: 0 s, sample_nodes: 1}
"""
write("source.yaml", """general: {seed: 1, stop: {time: 1 h}}
network: {idealised: true, nodes: 10}
consensus: {protocol: nakamoto, params: {block_interval: 60 s}}
""" + fast)
write("destination.yaml", """general: {seed: 1, stop: {time: 1 h}}
network: {idealised: true, nodes: 10}
consensus: {protocol: nakamoto, params: {block_interval: 60 s}}
""" + fast + """attacks:
  - attack: censorship
    nodes: {ids: [3, 4, 5, 6, 7, 8, 9]}
    params: {victim: 1, victims: 2}
""")
write("censored.yaml", f"""general: {{seed: 8, stop: {{time: 200 h}}}}
ledgers:
  - {{name: source, scenario: source.yaml}}
  - {{name: destination, scenario: destination.yaml}}
bridges:
  - name: bridge
    mechanism: optimistic
    source: source
    destination: destination
    params: {{window: {W} s, watchers: 2, first_watcher: 1, confirmations: 2, transfers_per_hour: 0,
              forgeries_per_hour: 6}}
""")

for a in (0.0, 0.7):
    out = os.path.join(d, "c.h5")
    sets = ["--set", "ledgers.destination.attacks[0].enabled=false"] if a == 0 else []
    dltsim("run", os.path.join(d, "censored.yaml"), "-o", out, "-q", *sets)
    with h5py.File(out, "r") as f:
        c = f["optimistic_claims"][()]
        b = f["ledgers/destination/blocks"][()]
    c = c[(c["forged"] == 1) & (c["outcome"] <= 1)]
    accepted = (c["outcome"] == 0).astype(float)
    p = math.exp(-(1 - a) * W / T)
    # The block that decides a claim: the first main-chain block after its own that takes proofs.
    honest = np.isin(b["miner"], [0, 1, 2]) if a > 0 else np.ones(len(b), bool)
    deciding = np.sort(b["time_s"][(b["on_main_chain"] == 1) & honest])
    group = np.searchsorted(deciding, c["claim_block_s"], side="right")
    resid = accepted - p
    robust = sum(resid[group == g].sum() ** 2 for g in np.unique(group))
    sd = math.sqrt(max(robust, len(c) * p * (1 - p))) / len(c)
    print(f"a = {a}: {len(c)} forged claims decided, {accepted.mean():.4f} accepted against "
          f"exp(-(1 - a) W / T) = {p:.4f} (sd {sd:.4f})")
    check(len(c) > 800 and abs(accepted.mean() - p) <= 4 * sd,
          f"a = {a}: {accepted.mean():.4f} vs {p:.4f} within 4 x {sd:.4f}")
done()
