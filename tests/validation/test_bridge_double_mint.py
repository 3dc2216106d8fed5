"""A double mint through a custodial bridge (docs/interconnect.md): an attacker with hashrate share q
deposits on the source chain, mines a conflicting spend in private and releases its branch once the
exchange has credited the deposit after k confirmations. The bridge's measured theft rate (its
external deposits credited and then reverted) is held against the exact double-spend success
probability with the attacker's give-up deficit (Rosenfeld's race, attacks/theory), in the idealised
network where the closed form's assumptions hold (no propagation delay). Tolerance: 4 binomial
standard errors at the theoretical p over the credited attacker deposits, plus 1/n. Honest deposits,
whose blocks the attack orphans, come back in later blocks and are never stolen.
"""

import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()


def write(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


write("source.yaml", """
general: {seed: 1, stop: {time: 1 h}}
network: {idealised: true, nodes: 20}
consensus: {protocol: nakamoto, params: {block_interval: 60 s}}
transactions: {tx_per_s: 0.02, template_refresh: 0 s, sample_nodes: 1}
attacks:
  - attack: double_spending
    nodes: {ids: [19]}
    params: {q: 0.3, confirmations: 3, give_up_deficit: 12, payment: transaction, merchant: 0}
""")
write("destination.yaml", """
general: {seed: 1, stop: {time: 1 h}}
network: {idealised: true, nodes: 10}
consensus: {protocol: nakamoto, params: {block_interval: 60 s}}
transactions: {tx_per_s: 0.02, template_refresh: 0 s, sample_nodes: 1}
""")
write("double-mint.yaml", """
general: {seed: 2, stop: {time: 400 h}}
ledgers:
  - {name: source, scenario: source.yaml}
  - {name: destination, scenario: destination.yaml}
bridges:
  - name: exchange
    mechanism: custodial
    source: source
    destination: destination
    params: {confirmations: 3, destination_confirmations: 1, exchange_node: 0, deposits_per_hour: 1}
""")

print("q     k   credited  thefts  measured  exact(give-up)")
for q, k in ((0.2, 2), (0.3, 3), (0.4, 4)):
    out = os.path.join(d, "dm.h5")
    dltsim("run", os.path.join(d, "double-mint.yaml"), "-o", out, "-q",
           "--set", f"ledgers.source.attacks[0].params.q={q}",
           "--set", f"ledgers.source.attacks[0].params.confirmations={k}",
           "--set", f"bridges[0].params.confirmations={k}")
    s = summary(out)
    n, thefts = s["exchange_external_credited"], s["exchange_external_thefts"]
    p = s["source_double_spending_theory_exact"]
    measured = thefts / n
    se = math.sqrt(p * (1 - p) / n)
    print(f"{q:<5} {k:<3} {n:<9} {thefts:<7} {measured:<9.4f} {p:.4f}")
    check(n >= 500 and abs(measured - p) <= 4 * se + 1.0 / n,
          f"q={q} k={k}: theft rate {measured:.4f} vs {p:.4f} (4 SE = {4 * se:.4f}, {n} credited)")
    check(s["exchange_thefts"] == thefts, f"q={q} k={k}: no honest deposit stolen ({s['exchange_deposits'] - s['exchange_external_deposits']} made)")
done()
