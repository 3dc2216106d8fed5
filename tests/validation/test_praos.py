"""Praos-style proof of stake against its closed forms, in the idealised network (every block
reaches every other node exactly D after it is sent, no bandwidth), slots of L = 1 s.

The lottery (200 stakeholders with SimBlock's normal law of power as stake, f = 0.2, 100,000 slots):
a stakeholder with relative stake alpha leads a slot with probability p = phi_f(alpha) =
1 - (1 - f)^alpha, independently, so the number of leaders of a slot is Poisson-binomial:
P(none) = prod (1 - p_i) = (1 - f)^1, mean sum p_i. Checked: the empty-slot rate and the mean leaders
per slot within 4 binomial standard errors, the distribution of leaders per slot (0, 1, 2, 3 or
more) by a chi-square against the exact Poisson-binomial law (3 degrees of freedom, 99.9 % point
16.27), and every stakeholder's leaderships (its blocks) by a chi-square against S p_i (199 degrees
of freedom; bound dof + 4 sqrt(2 dof)).

The private chain and the delay (f = 0.2, a pool of stake 0.47 on one node, 199 honest nodes): the
pool forks from the public head, extends only its own chain, and publishes after 4,000 slots. Its
chain grows by one in every slot it leads: p_a = phi_f(0.47) per slot. The honest chain grows in
every slot with an honest leader when D < L; with Delta = floor(D / L) + 1 > 1 the leaders of the
Delta - 1 slots after a slot that grew the chain have not seen its block, so growth events come at
intervals (Delta - 1) + Geometric(p_h) slots, a rate p_h / (1 + (Delta - 1) p_h) (the discrete form
of lambda / (1 + lambda Delta), Dembo et al. 2020). At D = 0.5 s the honest chain (0.1115 per slot)
outgrows the pool (0.0996): the pool loses nearly every race (predicted win probability 0.04); at
D = 2.5 s (Delta = 3) it grows at 0.0912 and the same pool wins most races (0.92), although it holds
less than half of the stake. Checked: both growth rates within 4 standard errors (binomial for the
pool; renewal-count variance t sigma^2 / mu^3 for the honest chain) and the win rates on either side
of one half by their Wilson 95 % intervals. With many honest stakeholders a leader rarely leads
again before its block has reached the others (p_i ~ 0.0006 per slot here): a bias of about 0.2 %
of the growth rate, a third of a standard error.

Settlement: every reorg deeper than k = 5 at an honest node is a settlement failure, and the table
holds exactly those.
"""

import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, workdir  # noqa: E402

d = workdir()
F = 0.2


def phi(alpha, f=F):
    return -math.expm1(alpha * math.log1p(-f))


def run(name, delay, stop, params="", power="{distribution: normal, mean: 400000, stddev: 100000}",
        attack="", tables="slots, nodes, miners"):
    path = os.path.join(d, f"{name}.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: 11, stop: {{time: "{stop} s"}}}}
network: {{idealised: true, nodes: 200, delay: "{delay} s"}}
consensus:
  protocol: praos
  params: {{active_slot_coefficient: {F}, slot_length: "1 s"{params}}}
  power: {power}
{attack}
output: {{record: [{tables}]}}
""")
    out = os.path.join(d, f"{name}.h5")
    dltsim("run", path, "-o", out, "-q")
    f = h5py.File(out, "r")
    s = {k: (v.item() if hasattr(v, "item") else v) for k, v in f["summary"].attrs.items() if "." not in k}
    return s, f


# ---- the lottery ----
s, f = run("lottery", 0.5, 100001)
stakes = f["nodes"]["power_share"][()]
slots_table = f["slots"][()]
miners = f["miners"][()]
S = s["slots"]
p = np.array([phi(a) for a in stakes])
none = float(np.prod(1 - p))
check(abs(none - (1 - F)) < 1e-12, f"independent aggregation: prod (1 - phi_f(alpha_i)) = {none:.15f} = 1 - f")
# Poisson-binomial law of the leaders of a slot, by dynamic programming over the stakeholders.
law = np.zeros(len(p) + 1)
law[0] = 1.0
for q in p:
    law[1:] = law[1:] * (1 - q) + law[:-1] * q
    law[0] *= 1 - q
want = np.array([law[0], law[1], law[2], law[3:].sum()])
counts = np.bincount(np.minimum(slots_table["leaders"], 3), minlength=4).astype(float)
counts[0] = S - len(slots_table)
check(S == 100000 and counts.sum() == S, f"{S} slots observed, {len(slots_table)} with a leader")
empty = counts[0] / S
se = math.sqrt(want[0] * (1 - want[0]) / S)
check(abs(empty - want[0]) <= 4 * se, f"empty slots {empty:.5f} +- {se:.5f} vs (1 - f) = {want[0]:.5f}")
mean = slots_table["leaders"].sum() / S
se = math.sqrt(float(np.sum(p * (1 - p))) / S)
check(abs(mean - p.sum()) <= 4 * se, f"leaders per slot {mean:.5f} +- {se:.5f} vs sum phi_f(alpha_i) = {p.sum():.5f}")
chi2 = float(np.sum((counts - S * want) ** 2 / (S * want)))
check(chi2 < 16.27, f"leaders per slot 0/1/2/3+: {counts.astype(int).tolist()} vs {np.round(S * want, 1).tolist()}, "
                    f"chi-square {chi2:.2f} (3 dof, 99.9 % point 16.27)")
check(abs(s["theory_slot_empty_rate"] - want[0]) < 1e-12 and abs(s["theory_leaders_per_slot"] - p.sum()) < 1e-12
      and abs(s["theory_slot_multi_leader_rate"] - (1 - want[0] - want[1])) < 1e-12,
      "the summary's closed forms are the same")
# Every leader makes a block (no attack here): blocks per stakeholder against S p_i.
produced = np.zeros(len(p))
produced[miners["node"]] = miners["blocks_produced"]
expected = S * p
chi2 = float(np.sum((produced - expected) ** 2 / expected))
dof = len(p) - 1
check(chi2 <= dof + 4 * math.sqrt(2 * dof),
      f"blocks per stakeholder against S phi_f(alpha_i): chi-square {chi2:.1f} ({dof} dof, bound "
      f"{dof + 4 * math.sqrt(2 * dof):.1f})")
f.close()

# ---- the private chain and the delay ----
BETA, RACE = 0.47, 4000
p_a, p_h = phi(BETA), phi(1 - BETA)
attack = f"""attacks:
  - attack: private_chain
    nodes: {{ids: [0]}}
    start: "0.3 s"
    params: {{alpha: {BETA}, publish: at_time, publish_after: "{RACE} s", give_up_deficit: 1000000}}"""
for delay, want_win in ((0.5, False), (2.5, True)):
    s, f = run(f"race-{delay}", delay, 30 * RACE, params=", tie_break: first_seen, settlement_depth: 5",
               power="{distribution: equal}", attack=attack, tables="reorgs, settlement_failures")
    delta = math.floor(delay) + 1
    g_h = p_h / (1 + (delta - 1) * p_h)
    racing = s["private_chain_private_growth_per_s"]
    public = s["private_chain_public_growth_per_s"]
    t = s["end_time_s"]  # the pool races the whole run
    se_a = math.sqrt(p_a * (1 - p_a) / t)
    mu = (delta - 1) + 1 / p_h
    var = (1 - p_h) / p_h ** 2
    se_h = math.sqrt(var / mu ** 3 / t)
    check(abs(racing - p_a) <= 4 * se_a,
          f"D = {delay} s: private chain {racing:.5f} +- {se_a:.5f} per slot vs phi_f(0.47) = {p_a:.5f}")
    check(abs(public - g_h) <= 4 * se_h,
          f"D = {delay} s: honest chain {public:.5f} +- {se_h:.5f} per slot vs p_h / (1 + (Delta - 1) p_h) = "
          f"{g_h:.5f} (Delta {delta})")
    check(abs(s["private_chain_theory_public_growth_per_s"] - g_h) < 1e-12
          and abs(s["private_chain_theory_private_growth_per_s"] - p_a) < 1e-12, "  the summary reports the same")
    z = (p_a - g_h) * RACE / math.sqrt(RACE * (p_a * (1 - p_a) + var / mu ** 3))
    predicted = 0.5 * math.erfc(-z / math.sqrt(2))
    won = (s["private_chain_win_rate_ci_low"] > 0.5) if want_win else (s["private_chain_win_rate_ci_high"] < 0.5)
    check(won, f"D = {delay} s: the pool won {s['private_chain_won']} of {s['private_chain_attempts']} races "
               f"[{s['private_chain_win_rate_ci_low']:.3f}, {s['private_chain_win_rate_ci_high']:.3f}] "
               f"(normal approximation {predicted:.2f}): {'above' if want_win else 'below'} the threshold")
    reorgs = f["reorgs"][()]
    deep = int(np.sum((reorgs["depth"] > 5) & (reorgs["node"] != 0)))
    failures = f["settlement_failures"][()]
    check(s["settlement_failures"] == deep == len(failures) and (failures["depth"] > 5).all(),
          f"D = {delay} s: {len(failures)} settlement failures = the honest reorgs deeper than k = 5")
    f.close()
done()
