"""Double spending in the idealised network against Rosenfeld's exact success probability, over q
and k. The simulated attacker gives up at a finite deficit, so the reference is the exact race with
that give-up point (Rosenfeld's unbounded formula and Nakamoto's approximation are printed beside);
the tolerance is 4 binomial standard errors of the number of attempts, at the theoretical p.
"""

import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()
base = os.path.join(d, "ds.yaml")
with open(base, "w") as f:
    f.write("""
general: {seed: 5, stop: {blocks: 150000}}
network: {idealised: true, nodes: 2}
consensus: {protocol: nakamoto}
attacks:
  - attack: double_spending
    nodes: {ids: [0]}
    params: {q: 0.1, confirmations: 1, give_up_deficit: 12}
output: {record: [blocks]}
""")

print("q     k   attempts  simulated  exact(give-up)  Rosenfeld  Nakamoto")
for q in (0.1, 0.2, 0.3, 0.4):
    for k in (1, 2, 4, 6):
        out = os.path.join(d, "ds.h5")
        dltsim("run", base, "-o", out, "-q", "--set", f"attacks[0].params.q={q}",
               "--set", f"attacks[0].params.confirmations={k}")
        s = summary(out)
        g = lambda key: s["double_spending_" + key]  # noqa: E731
        n, p_sim, p = g("attempts"), g("success_rate"), g("theory_exact")
        se = math.sqrt(p * (1 - p) / n)
        print(f"{q:<5} {k:<3} {n:<9} {p_sim:<10.5f} {p:<15.5f} {g('theory_rosenfeld'):<10.5f} {g('theory_nakamoto'):.5f}")
        check(n >= 1000 and abs(p_sim - p) <= 4 * se + 1.0 / n,
              f"q={q} k={k}: {p_sim:.5f} vs {p:.5f} (4 SE = {4 * se:.5f})")
done()
