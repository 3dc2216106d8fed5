"""Ex-ante reorgs on Gasper against the proposer-boost thresholds (Schwarz-Schilling et al., FC 2022).

The adversary (stake share b) withholds the blocks of its slots and its validators' votes for them,
and releases them 10 ms before the next honest slot (idealised network, every message 100 ms: the
honest proposer has built on the public head, and every attester has the withheld chain 10 ms before
the honest block). An honest attester then weighs the withheld chain, carrying the adversary's votes
of its l slots (a share s of a committee, about l b), against the honest block's boost:

1. the threshold, per attempt: the honest block is orphaned exactly when s > boost (both sides in
   one run at b = boost = 0.4; for l = 2, both sides at b = 0.2 where two slots carry about 0.4),
   and always without boost;
2. the frequency: a single withheld slot succeeds when the adversary holds more than boost k of the
   slot's k = 100 votes, P(Bin(k, b) > 0.4 k) = 0.4567 at b = 0.4 (the shuffle draws committees
   without replacement: the hypergeometric tail, 0.4562 here, is what the run samples); the share of
   successful single-slot attempts must be within 4 binomial standard errors of it;
3. how often that chance arises: a slot is the adversary's with probability b, so the paper's
   per-slot feasibility is b P(Bin(k, b) > 0.4 k); a single-slot attempt needs honest slots on both
   sides, b (1 - b)^2 of the slots; the count of single-slot attempts is checked against that
   within 4 standard errors.
"""

import math
import os
import sys

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()
K = 100                 # validators per slot: 3,200 / 32
SLOTS = 2000


def run(name, b, boost):
    path = os.path.join(d, f"{name}.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: 7, stop: {{time: "{SLOTS * 12 + 6} s"}}}}
network: {{idealised: true, nodes: 40, delay: "100 ms"}}
consensus: {{protocol: gasper, params: {{validators: 3200, proposer_boost: {boost}}}}}
attacks:
  - attack: ex_ante_reorg
    nodes: {{count: 8}}
    params: {{stake: {b}, release_before: "10 ms"}}
output: {{record: [ex_ante_attempts, slots]}}
""")
    out = os.path.join(d, f"{name}.h5")
    dltsim("run", path, "-o", out, "-q")
    with h5py.File(out, "r") as f:
        rows = f["ex_ante_attempts"][()]
    return summary(out), rows


def binom_tail(k, p, above):
    return sum(math.comb(k, i) * p**i * (1 - p)**(k - i) for i in range(math.floor(above) + 1, k + 1))


s, rows = run("threshold", 0.4, 0.4)
decided = [r for r in rows if r["honest_block"] != 0 and abs(r["committee_share"] - 0.4) > 1e-9]
agree = sum(1 for r in decided if bool(r["success"]) == (r["committee_share"] > 0.4))
above = sum(1 for r in decided if r["committee_share"] > 0.4)
check(agree == len(decided), f"orphaned exactly when the share beats the boost: {agree} of {len(decided)}")
check(above >= 20 and len(decided) - above >= 20, f"both sides: {above} above 0.4, {len(decided) - above} below")
multi = [r for r in decided if r["withheld"] >= 2]
check(len(multi) >= 10 and all(bool(r["success"]) == (r["committee_share"] > 0.4) for r in multi),
      f"l >= 2: the threshold is the sum of the l shares ({len(multi)} attempts, "
      f"{sum(int(r['success']) for r in multi)} succeeded)")

single = [r for r in decided if r["withheld"] == 1]
p = binom_tail(K, 0.4, 0.4 * K)
rate = sum(int(r["success"]) for r in single) / len(single)
se = math.sqrt(p * (1 - p) / len(single))
check(abs(rate - p) <= 4 * se, f"single-slot success rate {rate:.4f} vs P(Bin(100, 0.4) > 40) = {p:.4f} "
      f"(4 SE = {4 * se:.4f}, {len(single)} attempts)")
b = s["ex_ante_reorg_stake_share"]
check(abs(s["ex_ante_reorg_theory_feasible_per_slot"] - b * binom_tail(K, b, 0.4 * K)) < 1e-9,
      f"the summary's b P(Bin(k, b) > 0.4 k) = {s['ex_ante_reorg_theory_feasible_per_slot']:.4f}")
expected = b * (1 - b) ** 2 * SLOTS
n_single = s["ex_ante_reorg_single_slot_attempts"]
check(abs(n_single - expected) <= 4 * math.sqrt(expected * (1 - b * (1 - b) ** 2)),
      f"single-slot attempts {n_single} vs b (1 - b)^2 x {SLOTS} slots = {expected:.0f}")

# l b against the boost on both sides: at b = 0.2 two withheld slots carry about 0.4 of a committee.
s2, rows2 = run("two-slots", 0.2, 0.4)
pairs = [r for r in rows2 if r["honest_block"] != 0 and r["withheld"] == 2 and abs(r["committee_share"] - 0.4) > 1e-9]
won = [r for r in pairs if r["committee_share"] > 0.4]
check(all(bool(r["success"]) == (r["committee_share"] > 0.4) for r in pairs) and len(won) >= 10
      and len(pairs) - len(won) >= 10,
      f"l = 2 at b = 0.2: orphaned exactly when the two shares beat 0.4 ({len(won)} above, "
      f"{len(pairs) - len(won)} below, {sum(int(r['success']) for r in pairs)} succeeded)")
singles2 = [r for r in rows2 if r["honest_block"] != 0 and r["withheld"] == 1]
check(all(bool(r["success"]) == (r["committee_share"] > 0.4) for r in singles2),
      f"l = 1 at b = 0.2: {sum(int(r['success']) for r in singles2)} of {len(singles2)} succeed (share above 0.4)")

s0, rows0 = run("no-boost", 0.2, 0.0)
decided0 = [r for r in rows0 if r["honest_block"] != 0]
check(len(decided0) >= 100 and all(r["success"] for r in decided0),
      f"without boost every attempt orphans the honest block ({sum(int(r['success']) for r in decided0)} "
      f"of {len(decided0)})")
done()
