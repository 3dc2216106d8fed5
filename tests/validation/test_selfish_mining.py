"""Selfish mining in the idealised network against theory. Every comparison uses the run's own
standard error (batch means over the main chain): |simulated - theory| <= 4 SE.

- SM1 over a grid of alpha and gamma against Eyal and Sirer's closed form;
- the profitability threshold (1 - gamma) / (3 - 2 gamma): below it SM1 earns less than alpha,
  above it more;
- the MDP-optimal policy: its simulated revenue matches the MDP's value, is at least SM1's and at
  most alpha / (1 - alpha); near alpha = 1/2 (0.48, gamma 0, where a fixed truncation of 40 made
  the "optimal" policy lose to SM1 by about 3 SE) it beats SM1 in simulation;
- the honest control: revenue equals the hashrate share.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()
BLOCKS = 200000
base = os.path.join(d, "sm.yaml")
with open(base, "w") as f:
    f.write(f"""
general: {{seed: 21, stop: {{blocks: {BLOCKS}}}}}
network: {{idealised: true, nodes: 2}}
consensus:
  protocol: nakamoto
  params: {{tie_break: gamma, tie_gamma: 0.5}}
attacks:
  - attack: selfish_mining
    nodes: {{ids: [0]}}
    params: {{alpha: 0.3, strategy: sm1}}
output: {{record: [blocks]}}
""")


def run(alpha, gamma, strategy="sm1", seed=21, blocks=BLOCKS):
    out = os.path.join(d, "sm.h5")
    dltsim("run", base, "-o", out, "-q", "--seed", str(seed), "--set", f"general.stop.blocks={blocks}",
           "--set", f"consensus.params.tie_gamma={gamma}",
           "--set", f"attacks[0].params.alpha={alpha}",
           "--set", f"attacks[0].params.strategy={strategy}")
    s = summary(out)
    return {k[len("selfish_mining_"):]: v for k, v in s.items() if k.startswith("selfish_mining_")}


def within(sim, se, theory, n_se=4):
    return abs(sim - theory) <= n_se * se


# SM1 grid
for gamma in (0.0, 0.5, 1.0):
    for alpha in (0.1, 0.2, 0.3, 0.35, 0.4, 0.45):
        s = run(alpha, gamma)
        check(s["revenue_se"] > 0 and within(s["revenue"], s["revenue_se"], s["theory_revenue_sm1"]),
              f"SM1 alpha={alpha} gamma={gamma}: {s['revenue']:.4f} +- {s['revenue_se']:.4f} "
              f"vs Eyal-Sirer {s['theory_revenue_sm1']:.4f}")
        check(abs(s["gamma_observed"] - gamma) <= 4 * max(s["gamma_se"], 1e-12) or gamma in (0.0, 1.0),
              f"  observed gamma {s['gamma_observed']:.3f} +- {s['gamma_se']:.3f} over {s['gamma_races']} races")

# Profitability threshold
for gamma in (0.0, 0.5):
    t = (1 - gamma) / (3 - 2 * gamma)
    below, above = run(t - 0.06, gamma), run(t + 0.06, gamma)
    check(below["revenue"] + 3 * below["revenue_se"] < t - 0.06,
          f"below the threshold {t:.3f} (gamma {gamma}), alpha {t - 0.06:.3f} earns less: {below['revenue']:.4f}")
    check(above["revenue"] - 3 * above["revenue_se"] > t + 0.06,
          f"above it, alpha {t + 0.06:.3f} earns more: {above['revenue']:.4f}")

# Optimal policy
for alpha, gamma in ((0.35, 0.0), (0.35, 0.5), (0.3, 1.0), (0.4, 0.5), (0.48, 0.0)):
    s = run(alpha, gamma, "optimal")
    r, se = s["revenue"], s["revenue_se"]
    check(within(r, se, s["theory_revenue_mdp"]),
          f"optimal alpha={alpha} gamma={gamma}: {r:.4f} +- {se:.4f} vs MDP {s['theory_revenue_mdp']:.4f}")
    check(r >= s["theory_revenue_sm1"] - 4 * se and s["theory_revenue_mdp"] >= s["theory_revenue_sm1"] - 1e-9,
          f"  at least SM1's {s['theory_revenue_sm1']:.4f}")
    check(r <= s["theory_upper_bound"] + 4 * se, f"  at most alpha/(1-alpha) = {s['theory_upper_bound']:.4f}")

# Near 1/2, in simulation: the optimal policy against SM1 (MDP: 0.8417 against 0.8163), the
# difference judged by its standard error as if the runs were independent (conservative: they share
# the seed). Races are long at alpha 0.48 (SE 0.0076 over 2 x 10^5 blocks), so 10^6 blocks each:
# the expected difference is then about 7 combined SE, and the check asks for 3.
opt, sm1 = run(0.48, 0.0, "optimal", blocks=1000000), run(0.48, 0.0, "sm1", blocks=1000000)
se = (opt["revenue_se"] ** 2 + sm1["revenue_se"] ** 2) ** 0.5
check(opt["revenue"] - sm1["revenue"] > 3 * se,
      f"alpha 0.48, gamma 0: optimal {opt['revenue']:.4f} beats SM1 {sm1['revenue']:.4f} (difference > 3 x {se:.4f}); "
      f"MDP {opt['theory_revenue_mdp']:.4f} (truncation {opt['mdp_max_lead']}, last change {opt['mdp_last_change']:.1e})")

# Honest control
s = run(0.3, 0.5, "honest")
check(within(s["revenue"], s["revenue_se"], 0.3),
      f"honest pool with alpha 0.3 earns its share: {s['revenue']:.4f} +- {s['revenue_se']:.4f}")
done()
