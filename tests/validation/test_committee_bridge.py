"""A committee bridge (docs/interconnect.md): n = 9 signers, threshold m = 5. Safety: the attacker's
forged transfers mint exactly when it holds at least m keys (4 keys: none of its forgeries mint; 5:
every one). Liveness: a partition of the source network (the partition attack on the signers' nodes,
from 1 h to 3 h) cuts c signers off the source chain; with c <= n - m the others still reach m and
every transfer locked during the cut is minted before the heal; with c > n - m no transfer locked
during the cut is minted before the heal, and all are minted after it. These are exact statements
about the protocol, so the checks are exact.
"""

import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()


def write(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


# Signers (source nodes 0-8) hold no hashrate: what they see is what the miners send them.
write("source.yaml", """general: {seed: 1, stop: {time: 1 h}}
network: {preset: bitcoin-2019, nodes: 40}
consensus: {protocol: nakamoto, params: {block_interval: 60 s},
            power: {distribution: shares, shares: [0, 0, 0, 0, 0, 0, 0, 0, 0], others: equal}}
transactions: {tx_per_s: 0.05, template_refresh: 0 s, sample_nodes: 1}
attacks:
  - attack: partition
    nodes: {ids: [8, 7, 6, 5]}
    start: 1 h
    end: 3 h
""")
write("destination.yaml", """general: {seed: 1, stop: {time: 1 h}}
network: {preset: bitcoin-2019, nodes: 30}
consensus: {protocol: nakamoto, params: {block_interval: 60 s}}
transactions: {tx_per_s: 0.05, template_refresh: 0 s, sample_nodes: 1}
""")
write("committee.yaml", """general: {seed: 3, stop: {time: 5 h}}
ledgers:
  - {name: source, scenario: source.yaml}
  - {name: destination, scenario: destination.yaml}
bridges:
  - name: bridge
    mechanism: committee
    source: source
    destination: destination
    params: {signers: 9, threshold: 5, compromised: 4, confirmations: 6, destination_confirmations: 2,
             transfers_per_hour: 30, forgeries_per_hour: 10}
""")
CUT_START, HEAL = 3600, 3 * 3600


def run(compromised, cut):
    out = os.path.join(d, "c.h5")
    dltsim("run", os.path.join(d, "committee.yaml"), "-o", out, "-q",
           "--set", f"bridges[0].params.compromised={compromised}",
           "--set", f"ledgers.source.attacks[0].nodes.ids={list(range(8, 8 - cut, -1))}")
    with h5py.File(out, "r") as f:
        return summary(out), f["committee_transfers"][()]


for compromised, cut in ((4, 4), (5, 5)):
    s, t = run(compromised, cut)
    forged = s["bridge_forgeries"]
    expect = forged if compromised >= 5 else 0
    check(forged >= 20 and s["bridge_forged_mints"] == expect,
          f"{compromised} keys of threshold 5: {s['bridge_forged_mints']} of {forged} forgeries minted (expected {expect})")
    honest = t[t["forged"] == 0]
    during = honest[(honest["created_s"] > CUT_START) & (honest["created_s"] < HEAL - 1800)]
    before_heal = during["minted_s"] < HEAL
    if cut <= 9 - 5:
        check(len(during) >= 20 and before_heal.all(),
              f"{cut} signers cut off (n - m = 4): {before_heal.sum()} of {len(during)} locks of the cut minted before the heal")
    else:
        after = during[~np.isnan(during["minted_s"])]
        check(len(during) >= 20 and not before_heal.any() and len(after) == len(during),
              f"{cut} signers cut off (> n - m): {before_heal.sum()} of {len(during)} minted before the heal, "
              f"{len(after)} after it")
    check(s["bridge_double_mints"] == 0, f"no reorg attack: {s['bridge_double_mints']} double mints")
done()
