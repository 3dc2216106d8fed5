"""Eclipse probability after a restart against its closed form (issue 12).

2,000 bitcoin-2019 nodes with address tables (network.peers: 4 full-relay and 2 block-relay-only
outbound connections); the attacker holds 30 % of the nodes, floods 1,000 victims' tables for 6 h
(30 addr messages every 30 min, feelers moving live attacker addresses to "tried"), then the victims
restart and the attacker takes their inbound slots at once.

Selection rule (peer manager, as Bitcoin Core's Select): each draw takes "new" or "tried" with even
odds, then a uniformly random filled slot; an address already connected, or one that does not accept
(offline, inbound slots full), is drawn again. Draws happen at one instant and entries move between
tables only after them. So for a victim whose tables hold N_new / N_tried entries, of which A
attacker and H honest addresses that accept, the probability that all k = 6 - anchors outbound draws
are attacker addresses is the sum over paths of
    prod_j  w_t (A_t - a_t,j) / N_t  /  sum_t w_t (A_t - a_t,j + H_t) / N_t
(w = 1/2 per table, a_t,j attacker addresses already drawn from table t), computed exactly by dynamic
programming, times [every reconnected anchor is an attacker node]. The eclipse table records
N, A, H and the anchors just before each victim comes back.

- Anchors off: the number of victims whose outbound peers are all the attacker's must lie within
  3.29 standard deviations (two-sided 0.001) of sum_i P_i, with variance sum_i P_i (1 - P_i)
  (independent Bernoulli trials given the tables).
- Anchors on: the same with the anchor factor; and anchors reduce the eclipsed share: the
  observed difference between the runs must be positive, beyond 3.29 standard deviations of the
  difference (variances of the two binomial counts).
- An eclipsed victim stays eclipsed (the attacker holds its inbound slots): eclipsed_ever equals the
  eclipsed count at the restart.
"""

import math
import os
import sys
from functools import lru_cache

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, workdir  # noqa: E402

d = workdir()
Z = 3.29


def run(anchors):
    path = os.path.join(d, f"eclipse-{anchors}.yaml")
    out = os.path.join(d, f"eclipse-{anchors}.h5")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: 7, stop: {{time: 7 h}}}}
network:
  preset: bitcoin-2019
  nodes: 2000
  contention: none
  peers: {{outbound: 4, block_relay_only: 2, anchors: {str(anchors).lower()}}}
consensus: {{protocol: nakamoto}}
attacks:
  - attack: eclipse
    nodes: {{fraction: 0.3}}
    start: 10 min
    params: {{victims: 1000, wait: 6 h, addr_messages: 30}}
output: {{path: {out}, record: [eclipse]}}
""")
    dltsim("run", path, "-q")
    with h5py.File(out, "r") as f:
        rows = f["eclipse"][()]
        summary = dict(f["summary"].attrs)
    return rows, summary


def p_all_attacker(k, nn, an, hn, nt, at, ht):
    wn = 0.5 if nn and nt else (1.0 if nn else 0.0)
    wt = 1.0 - wn

    @lru_cache(maxsize=None)
    def f(j, x):  # j attacker draws so far, x of them from "new"
        if j == k:
            return 1.0
        pn = wn * (an - x) / nn if nn else 0.0
        pt = wt * (at - (j - x)) / nt if nt else 0.0
        ph = (wn * hn / nn if nn else 0.0) + (wt * ht / nt if nt else 0.0)
        total = pn + pt + ph
        if total <= 0:
            return 0.0
        return (pn / total * f(j + 1, x + 1) if pn > 0 else 0.0) + (pt / total * f(j + 1, x) if pt > 0 else 0.0)

    return f(0, 0)


def expected(rows):
    ps = []
    for r in rows:
        k = int(r["outbound"]) - int(r["anchors"])
        p = p_all_attacker(k, int(r["new_entries"]), int(r["new_attacker"]), int(r["new_honest_live"]),
                           int(r["tried_entries"]), int(r["tried_attacker_free"]), int(r["tried_honest_live"]))
        ps.append(p if r["anchors_attacker"] == r["anchors"] else 0.0)
    return sum(ps), sum(p * (1 - p) for p in ps)


results = {}
for anchors in (False, True):
    rows, summary = run(anchors)
    check(len(rows) == 1000 and (rows["outbound"] == 6).all(), f"anchors {anchors}: 1,000 victims, 6 outbound each")
    e, var = expected(rows)
    o = int(rows["eclipsed_at_restart"].sum())
    z = (o - e) / math.sqrt(var)
    share_new = rows["new_attacker"].sum() / rows["new_entries"].sum()
    share_tried = rows["tried_attacker"].sum() / rows["tried_entries"].sum()
    check(abs(z) <= Z, f"anchors {anchors}: {o} eclipsed against {e:.1f} +- {math.sqrt(var):.1f} "
                       f"(z = {z:+.2f}; attacker share of new {share_new:.3f}, of tried {share_tried:.3f})")
    check(summary["eclipse_eclipsed_ever"] == o, f"anchors {anchors}: eclipsed victims stay eclipsed "
                                                 f"({summary['eclipse_eclipsed_ever']} at a sample, {o} at the restart)")
    results[anchors] = (o, len(rows))

(o0, n0), (o1, n1) = results[False], results[True]
p0, p1 = o0 / n0, o1 / n1
sd = math.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
check(p0 - p1 > Z * sd, f"anchors cut the eclipsed share from {p0:.3f} to {p1:.3f} (difference {p0 - p1:.3f}, "
                        f"{(p0 - p1) / sd:.1f} SD)")
done()
