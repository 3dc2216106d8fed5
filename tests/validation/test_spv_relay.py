"""A light-client (SPV) relay (docs/interconnect.md). Liveness: the relayers' source nodes are cut off
(the partition attack) from 1 h to 2 h. With one of the two cut, the other keeps submitting headers
and every lock made during the cut (up to 30 min before the heal) mints before the heal; with both cut
the light client stalls: none of them mints before the heal, and all mint after it. Safety: a
double-spending attacker whose payment is a lock to the bridge (q = 0.3, k = 3, idealised network)
double mints at the exact double-spend race's rate, within 4 binomial standard errors.
"""

import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()
CUT, HEAL = 3600, 7200


def write(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


# Relayers (source and destination nodes 1 and 2) hold no hashrate.
write("source.yaml", """general: {seed: 1, stop: {time: 1 h}}
network: {preset: bitcoin-2019, nodes: 30}
consensus: {protocol: nakamoto, params: {block_interval: 60 s},
            power: {distribution: shares, shares: [0, 0, 0], others: equal}}
transactions: {tx_per_s: 0.05, template_refresh: 0 s, sample_nodes: 1}
attacks:
  - attack: partition
    nodes: {ids: [1, 2]}
    start: 1 h
    end: 2 h
""")
write("destination.yaml", """general: {seed: 1, stop: {time: 1 h}}
network: {preset: bitcoin-2019, nodes: 30}
consensus: {protocol: nakamoto, params: {block_interval: 60 s},
            power: {distribution: shares, shares: [0, 0, 0], others: equal}}
transactions: {tx_per_s: 0.05, template_refresh: 0 s, sample_nodes: 1}
""")
write("spv.yaml", """general: {seed: 6, stop: {time: 4 h}}
ledgers:
  - {name: source, scenario: source.yaml}
  - {name: destination, scenario: destination.yaml}
bridges:
  - name: relay
    mechanism: spv_relay
    source: source
    destination: destination
    params: {confirmations: 3, relayers: 2, first_relayer: 1, first_relayer_destination: 1, transfers_per_hour: 40}
""")

for cut in ([2], [1, 2]):
    out = os.path.join(d, "s.h5")
    dltsim("run", os.path.join(d, "spv.yaml"), "-o", out, "-q", "--set", f"ledgers.source.attacks[0].nodes.ids={cut}")
    with h5py.File(out, "r") as f:
        t = f["spv_transfers"][()]
    during = t[(t["created_s"] > CUT) & (t["created_s"] < HEAL - 1800)]
    before = during["minted_s"] < HEAL
    if len(cut) == 1:
        check(len(during) >= 15 and before.all(),
              f"one relayer of two cut off: {before.sum()} of {len(during)} locks of the cut minted before the heal")
    else:
        after = ~np.isnan(during["minted_s"])
        check(len(during) >= 15 and not before.any() and after.all(),
              f"both relayers cut off: {before.sum()} of {len(during)} minted before the heal, {after.sum()} after")

# Safety: the double mint composes as with the custodial bridge.
write("idealised-source.yaml", """general: {seed: 1, stop: {time: 1 h}}
network: {idealised: true, nodes: 20}
consensus: {protocol: nakamoto, params: {block_interval: 60 s}}
transactions: {tx_per_s: 0.02, template_refresh: 0 s, sample_nodes: 1}
attacks:
  - attack: double_spending
    nodes: {ids: [19]}
    params: {q: 0.3, confirmations: 3, give_up_deficit: 12, payment: transaction, merchant: 0}
""")
write("idealised-destination.yaml", """general: {seed: 1, stop: {time: 1 h}}
network: {idealised: true, nodes: 10}
consensus: {protocol: nakamoto, params: {block_interval: 60 s}}
transactions: {tx_per_s: 0.02, template_refresh: 0 s, sample_nodes: 1}
""")
write("double-mint.yaml", """general: {seed: 2, stop: {time: 400 h}}
ledgers:
  - {name: source, scenario: idealised-source.yaml}
  - {name: destination, scenario: idealised-destination.yaml}
bridges:
  - name: relay
    mechanism: spv_relay
    source: source
    destination: destination
    params: {confirmations: 3, relayers: 2, first_relayer: 1, first_relayer_destination: 1, transfers_per_hour: 1}
""")
out = os.path.join(d, "dm.h5")
dltsim("run", os.path.join(d, "double-mint.yaml"), "-o", out, "-q")
s = summary(out)
n, thefts, p = s["relay_external_minted"], s["relay_external_double_mints"], s["source_double_spending_theory_exact"]
se = math.sqrt(p * (1 - p) / n)
check(n >= 500 and abs(thefts / n - p) <= 4 * se + 1.0 / n,
      f"double mint through the light client: {thefts / n:.4f} vs {p:.4f} (4 SE = {4 * se:.4f}, {n} minted)")
check(s["relay_double_mints"] == thefts, "no honest lock double minted")
done()
