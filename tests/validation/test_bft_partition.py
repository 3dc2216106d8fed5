"""The partition attack on the BFT protocols (PBFT, Tendermint, HotStuff), with retransmission.

n = 3f + 1 = 7 replicas (f = 2, quorums of 5) in one data centre (1 Gbit/s, one-way latency drawn per
connection from SimBlock's Pareto law with a 20 ms mean), 200 client transactions per second. The cut
starts at START and heals at HEAL (30 s later); the heal does not resync (`resync: false`), so
recovery rests on each protocol's own retransmission timers, not on the reconnection hook.

(a) The cut isolates f replicas (5 and 6: not PBFT's primary, replica 0). The other side holds a
    quorum and keeps deciding, and every value decided during the cut was proposed by a leader on
    that side (PBFT: the primary of the view; Tendermint: the proposer (h + r) mod n; HotStuff: the
    leader v mod n of the block's view). Throughput:
    - PBFT keeps its primary, so it commits what the clients offer: the transactions first committed
      during the cut are within 4 sigma of lambda T (Poisson, sigma = sqrt(lambda T)), widened by
      what one commit latency (at most 1 s here) moves across either edge, lambda x 1 s;
    - Tendermint loses the rounds whose proposer is cut off: a height h starts with round 0 led by
      h mod n, so f of every n heights wait timeout_propose(0) for a proposal, prevote and precommit
      nil at once (2f + 1 nil votes) and wait timeout_precommit(0) before round 1. With t the
      control run's mean time per height, the cut's mean is t + (f / n)(timeout_propose +
      timeout_precommit), more where the next round's proposer is cut off too (tendermint_lost_s), so
      it decides T / that many heights; checked within 25 % (the cut-off proposers' heights are not
      spread evenly over a 30 s window);
    - HotStuff, rotating its leader every view, loses the two isolated leaders' views every n views
      and with them the chains through them: only that it keeps committing is checked (and the
      leaders from 10 s into the cut, when blocks proposed before it are settled).
(b) The cut isolates f + 1 = 3 replicas: neither side holds a quorum. No value is decided from one
    second after the start (messages already in flight at the cut may still complete a decision)
    to the heal, and decisions resume within a bound derived from the retransmission timers:
    - PBFT: every replica is in a view change and re-sends its VIEW-CHANGE every retransmit_interval
      (1 s) to the replicas it has not heard from; within that interval after the heal the new
      primary has 2f of them, sends NEW-VIEW, and the batches commit three message delays later:
      bound retransmit_interval + view_change_timeout (2 s: the replicas on the two sides may be one
      view apart, and the side behind joins the later view after the f + 1 rule on the next re-send,
      or moves there on its own timer);
    - Tendermint: every replica waits in the prevote (or precommit) step of round r for votes cut off
      on the other side; a stalled round re-sends its votes every query_maj23_interval (2 s), so after
      the heal each replica has 2f + 1 prevotes within that interval, then waits timeout_prevote(r),
      precommits nil or the value, waits timeout_precommit(r) if the precommits are split and decides
      in round r + 1 a few message delays later: bound query_maj23_interval + timeout_prevote(r) +
      timeout_precommit(r) + timeout_propose(r + 1) (the last covers the proposer's batch and slow
      links), with r the round the first decision after the heal was decided in, less one;
    - HotStuff: each replica timed out into the same view re-sends its NEW-VIEW to that view's leader
      every view_timeout (2 s, the base, not doubled), so the leader has 2f + 1 within that interval of
      the heal and proposes; three more views commit: bound 2 view_timeout.
    With retransmission off (`retransmit: false`) Tendermint never decides again after such a cut
    (every replica waits for prevotes that were lost), which is what the retransmission is for.
(c) No safety violation in any run.
"""

import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, workdir  # noqa: E402

d = workdir()
N, F, RATE = 7, 2, 200.0
START, HEAL, STOP = 10.0, 40.0, 70.0
T = HEAL - START


def run(protocol, ids=None, seed=1, params=""):
    path = os.path.join(d, "p.yaml")
    attack = ""
    if ids is not None:
        attack = f"""attacks:
  - attack: partition
    nodes: {{ids: {ids}}}
    start: "{START} s"
    end: "{HEAL} s"
    params: {{resync: false}}
"""
    with open(path, "w") as f:
        f.write(f"""general: {{seed: {seed}, stop: {{time: "{STOP} s"}}}}
network:
  nodes: {N}
  regions: [{{name: DC, share: 1, download: "1 Gbit/s", upload: "1 Gbit/s"}}]
  latency: {{uniform: "20 ms", model: pareto}}
  topology: {{model: complete}}
consensus:
  protocol: {protocol}
  params: {{tx_rate: {RATE:g}{params}}}
{attack}""")
    out = os.path.join(d, "p.h5")
    dltsim("run", path, "-o", out, "-q")
    with h5py.File(out, "r") as f:
        s = {k: (v.item() if hasattr(v, "item") else v) for k, v in f["summary"].attrs.items() if "." not in k}
        dec = f["decisions"][()]
    return s, first_commits(dec)


def first_commits(dec):
    """Per height: the first honest commit (time, transactions, view or round)."""
    honest = dec[dec["honest"] == 1]
    order = np.lexsort((honest["time_s"], honest["height"]))
    honest = honest[order]
    _, first = np.unique(honest["height"], return_index=True)
    return honest[first]


def window(first, lo, hi):
    return first[(first["time_s"] >= lo) & (first["time_s"] < hi)]


def proposer(protocol, row):
    if protocol == "tendermint":
        return (int(row["height"]) + int(row["view"])) % N
    return int(row["view"]) % N  # PBFT: the primary of the view; HotStuff: the leader of the block's view


def tendermint_lost_s(cut):
    """Mean time per height Tendermint loses to rounds whose proposer is cut off: height h tries
    proposers h, h + 1, ... (mod n) in rounds 0, 1, ...; each cut-off one costs timeout_propose(r) (3 s +
    0.5 s r) and, once 2f + 1 nil precommits are in, timeout_precommit(r) (1 s + 0.5 s r)."""
    total = 0.0
    for h in range(N):
        r = 0
        while (h + r) % N in cut:
            total += (3.0 + 0.5 * r) + (1.0 + 0.5 * r)
            r += 1
    return total / N


violations = []
for protocol in ("pbft", "tendermint", "hotstuff"):
    control, cfirst = run(protocol)
    violations.append((protocol, "control", control["safety_violations"]))

    # (a) f replicas cut off.
    s, first = run(protocol, ids=[N - 2, N - 1])
    violations.append((protocol, "f", s["safety_violations"]))
    during = window(first, START, HEAL)
    # HotStuff commits a block three views after it was proposed, and views fail while cut-off
    # leaders time out: blocks proposed before the cut are still committed in its first seconds.
    settled = window(first, START + (10.0 if protocol == "hotstuff" else 0.0), HEAL)
    leaders = {proposer(protocol, r) for r in settled}
    check(s["partition_decisions"] > 0 and s["partition_decisions_a"] <= 3
          and s["partition_decisions_b"] >= s["partition_decisions"] and leaders <= set(range(N - 2)),
          f"{protocol}, {F} of {N} cut off: {s['partition_decisions']} decisions during the cut (side of the "
          f"{N - F}: {s['partition_decisions_b']}, cut-off side: {s['partition_decisions_a']}), proposed by "
          f"leaders {sorted(leaders)} on the quorum's side")
    if protocol == "pbft":
        txs, mean = int(during["txs"].sum()), RATE * T
        bound = 4 * math.sqrt(mean) + RATE * 1.0
        check(abs(txs - mean) <= bound,
              f"pbft: {txs} transactions committed during the cut, lambda T = {mean:.0f} +- {bound:.0f}; "
              f"control {int(window(cfirst, START, HEAL)['txs'].sum())}")
    elif protocol == "tendermint":
        t_height = T / len(window(cfirst, START, HEAL))
        expected = T / (t_height + tendermint_lost_s([N - 2, N - 1]))
        check(abs(len(during) - expected) <= 0.25 * expected,
              f"tendermint: {len(during)} heights during the cut, T / (t + lost rounds per height "
              f"{tendermint_lost_s([N - 2, N - 1]):.2f} s) = {expected:.1f} (t = {t_height:.2f} s from the control's "
              f"{len(window(cfirst, START, HEAL))})")
    check(not math.isnan(s["partition_resume_s"]) and s["partition_resume_s"] < 10,
          f"{protocol}: after the heal the next decision comes {s['partition_resume_s']:.2f} s later; every honest "
          f"replica committed again after {s['partition_all_resume_s']:.2f} s (NaN: one stays out)")

    # (b) f + 1 replicas cut off: no quorum on either side.
    s, first = run(protocol, ids=[0, 1, 2])
    violations.append((protocol, "no quorum", s["safety_violations"]))
    late = window(first, START + 1.0, HEAL)
    after = window(first, HEAL, STOP)
    if protocol == "pbft":
        bound, how = 1.0 + 2.0, "retransmit_interval + view_change_timeout"
    elif protocol == "tendermint":
        r = max(int(after["view"][0]) - 1, 0) if len(after) else 0
        bound = 2.0 + (1.0 + 0.5 * r) + (1.0 + 0.5 * r) + (3.0 + 0.5 * (r + 1))
        how = f"query_maj23 + prevote({r}) + precommit({r}) + propose({r + 1})"
    else:
        bound, how = 2 * 2.0, "2 view_timeout"
    resume = s["partition_resume_s"]
    check(len(late) == 0 and s["partition_decisions"] <= 3 and not math.isnan(resume) and resume <= bound,
          f"{protocol}, {F + 1} of {N} cut off (no quorum): {len(late)} decisions from 1 s after the start to the "
          f"heal; decisions resume {resume:.2f} s after the heal <= {how} = {bound:.1f} s; all honest replicas "
          f"after {s['partition_all_resume_s']:.2f} s")

# Without retransmission a Tendermint round whose votes the cut lost never ends.
s, _ = run("tendermint", ids=[0, 1, 2], params=", retransmit: false")
check(math.isnan(s["partition_resume_s"]),
      f"tendermint without retransmission: no decision after the heal (resume {s['partition_resume_s']})")

# (c) Safety.
check(all(v == 0 for _, _, v in violations), f"no safety violation in {len(violations)} runs: {violations}")
done()
