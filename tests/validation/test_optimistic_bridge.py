"""An optimistic bridge under watcher isolation (docs/interconnect.md). Window W = 30 min; the three
watchers' destination nodes are cut off (the partition attack) from 1 h for L. A forged claim whose
block comes while they are cut off is seen by them only at the heal (the partition's resync); it is
stolen exactly when its window ends before the heal, and stopped when the window ends well after it
(15 min: fraud proofs then reach a 60 s block w.h.p., 1 - e^-15). Without isolation every forged
claim is stopped. Claims whose block comes in the 2 minutes around the cut's start are left out
(a watcher may have seen one and sent a proof that the cut then strands).
"""

import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()
W, CUT = 1800, 3600


def write(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


write("source.yaml", """general: {seed: 1, stop: {time: 1 h}}
network: {preset: bitcoin-2019, nodes: 30}
consensus: {protocol: nakamoto, params: {block_interval: 60 s}}
transactions: {tx_per_s: 0.05, template_refresh: 0 s, sample_nodes: 1}
""")
write("destination.yaml", """general: {seed: 1, stop: {time: 1 h}}
network: {preset: bitcoin-2019, nodes: 30}
consensus: {protocol: nakamoto, params: {block_interval: 60 s},
            power: {distribution: shares, shares: [0, 0, 0, 0], others: equal}}
transactions: {tx_per_s: 0.05, template_refresh: 0 s, sample_nodes: 1}
attacks:
  - attack: partition
    nodes: {ids: [1, 2, 3]}
    start: 1 h
    end: 80 min
""")
write("optimistic.yaml", f"""general: {{seed: 5, stop: {{time: 4 h}}}}
ledgers:
  - {{name: source, scenario: source.yaml}}
  - {{name: destination, scenario: destination.yaml}}
bridges:
  - name: bridge
    mechanism: optimistic
    source: source
    destination: destination
    params: {{window: {W} s, watchers: 3, first_watcher: 1, confirmations: 3, transfers_per_hour: 10,
              forgeries_per_hour: 30}}
""")

for isolation_min in (0, 20, 60):
    out = os.path.join(d, "o.h5")
    sets = (["--set", "ledgers.destination.attacks[0].enabled=false"] if isolation_min == 0 else
            ["--set", f"ledgers.destination.attacks[0].end={60 + isolation_min} min"])
    dltsim("run", os.path.join(d, "optimistic.yaml"), "-o", out, "-q", *sets)
    s = summary(out)
    with h5py.File(out, "r") as f:
        c = f["optimistic_claims"][()]
    heal = CUT + isolation_min * 60
    forged = c[(c["forged"] == 1) & (c["outcome"] <= 1)]
    posted = forged["claim_block_s"]
    if isolation_min == 0:
        check(len(forged) > 60 and (forged["outcome"] == 1).all(),
              f"no isolation: {int((forged['outcome'] == 1).sum())} of {len(forged)} forged claims stopped")
        honest = c[c["forged"] == 0]
        check(s["bridge_claims_accepted"] > 20 and (honest["outcome"] != 1).all(), "honest claims are never challenged")
        continue
    cut_off = (posted > CUT + 60) & (posted < heal)
    stolen = forged[cut_off & (posted + W < heal)]
    stopped = forged[(posted > CUT + 60) & (posted + W > heal + 900) | (posted < CUT - 60)]
    print(f"isolation {isolation_min} min: {len(stolen)} claims expected stolen, {len(stopped)} expected stopped; "
          f"accepted {s['bridge_forgeries_accepted']}, challenged {s['bridge_forgeries_challenged']}")
    check((stolen["outcome"] == 0).all(), f"isolation {isolation_min} min: all {len(stolen)} forged claims whose window "
          "ended before the heal went through")
    check(len(stopped) > 40 and (stopped["outcome"] == 1).all(),
          f"isolation {isolation_min} min: all {len(stopped)} forged claims whose window ended 15 min after the heal were stopped")
    if isolation_min > W / 60:
        check(len(stolen) >= 5, f"isolated longer than the window: {len(stolen)} forgeries stolen")
    else:
        check(len(stolen) == 0 and s["bridge_forgeries_accepted"] <= 2,
              f"isolated less than the window: {s['bridge_forgeries_accepted']} accepted (at most the 2 minutes around the cut)")
done()
