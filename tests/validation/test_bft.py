"""The BFT protocols (PBFT, HotStuff, Tendermint) on a small data-centre network (1 Gbit/s, 20 ms
latency: fixed for the message counts, where a message overtaking another would change them; drawn
per connection from SimBlock's Pareto law for the Byzantine runs, so that seeds differ).

1. Messages in the normal case, no faults, n in {4, 7, 10}, against the protocols' analytic counts
   (point to point, no self-sends; D decisions; exact equality):
   - PBFT: pre-prepare (n - 1) D, prepare (n - 1)^2 D (backups only), commit n (n - 1) D, checkpoint
     n (n - 1) floor(D / K);
   - HotStuff: proposals (n - 1) B for the B blocks proposed, B = D + 3 (the last blocks proposed
     before the stop never gather a three-chain), votes as many (the next leader's own vote is no
     message), no NEW-VIEW;
   - Tendermint: proposal (n - 1) D, prevote and precommit n (n - 1) D each.
2. f Byzantine replicas of n = 3f + 1 (f = 1 and 2), each behaviour (crash, silent leader,
   equivocation, vote withholding, targeted leader delay), five seeds each: no safety violation,
   the run reaches its decisions; where the behaviour stops a leader (all but vote withholding) a
   view change happens and commits go on after the attack starts.
3. More equivocators than f (2 of 4) on PBFT, with the Byzantine primary first: conflicting commits
   are reachable, and the monitor records them.
4. Same seed, same bytes (a BFT run under attack, twice).
5. The processing cost: HotStuff in the idealised network (every message takes D, no bandwidth), no
   transactions, signature verification s. On the critical path of a view every replica verifies
   the proposal (its signature and the q = 2f + 1 of its certificate); the next leader counts its own
   vote and the proposer's (sent at once: a proposer does not verify its own proposal, so it arrives
   while the leader is still busy) and verifies q - 2 more before it has a certificate and proposes:
   a view takes 2D + (2q - 1) s, exactly, and 2D without the cost model.
6. Every honest replica keeps up: with f equivocators of n = 3f + 1 (f = 10), in every protocol each
   honest replica commits every decided height but those still in flight at the stop (at most 3).
   Votes are not relayed, so in Tendermint the honest half that received the other half's votes
   only keeps up through its catch-up (the commit of a height fetched from a replica ahead).
"""

import filecmp
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, workdir  # noqa: E402

d = workdir()


def run(protocol, n, blocks=30, seed=3, params="", attack="", out="bft.h5", latency="pareto"):
    path = os.path.join(d, "bft.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: {seed}, stop: {{blocks: {blocks}, time: "2 h"}}}}
network:
  nodes: {n}
  regions: [{{name: DC, share: 1, download: "1 Gbit/s", upload: "1 Gbit/s"}}]
  latency: {{uniform: "20 ms", model: {latency}}}
  topology: {{model: complete}}
consensus:
  protocol: {protocol}
  params: {{tx_rate: 200{params}}}
{attack}
""")
    out = os.path.join(d, out)
    dltsim("run", path, "-o", out, "-q")
    with h5py.File(out, "r") as f:
        s = {k: (v.item() if hasattr(v, "item") else v) for k, v in f["summary"].attrs.items() if "." not in k}
        decisions = f["decisions"][()]
    return s, decisions, out


# 1. Message counts in the normal case.
K = 10
for n in (4, 7, 10):
    s, _, _ = run("pbft", n, params=f", checkpoint_interval: {K}", latency="fixed")
    D = s["decisions"]
    expected = {"preprepare": (n - 1) * D, "prepare": (n - 1) ** 2 * D, "commit": n * (n - 1) * D,
                "checkpoint": n * (n - 1) * (D // K), "view_change": 0, "new_view": 0}
    got = {t: s.get(f"messages_{t}", 0) for t in expected}
    check(got == expected, f"PBFT n={n}, D={D}: {got} == {expected}")

    s, _, _ = run("hotstuff", n, latency="fixed")
    D = s["decisions"]
    B = s["messages_proposal"] // (n - 1)
    check(s["messages_proposal"] == (n - 1) * (D + 3) and s["messages_vote"] == s["messages_proposal"]
          and s.get("messages_new_view", 0) == 0,
          f"HotStuff n={n}, D={D}: proposals {s['messages_proposal']} = (n-1) x {B} blocks = (n-1)(D+3), "
          f"votes {s['messages_vote']}, new views {s.get('messages_new_view', 0)}")

    s, _, _ = run("tendermint", n, params=", timeout_commit: \"100 ms\"", latency="fixed")
    D = s["decisions"]
    expected = {"proposal": (n - 1) * D, "prevote": n * (n - 1) * D, "precommit": n * (n - 1) * D}
    got = {t: s[f"messages_{t}"] for t in expected}
    check(got == expected, f"Tendermint n={n}, D={D}: {got} == {expected}")
    total = sum(v for k, v in s.items() if k.startswith("messages_") and not k.startswith("messages_per_"))
    check(abs(s["messages_per_decision"] - total / D) < 1e-9 and total == s["messages"],
          f"Tendermint n={n}: messages per decision over every type {s['messages_per_decision']} = {total} / {D}")
    check(s["transactions_committed"] + s["transactions_uncommitted"] == s["transactions_submitted"]
          and abs(s["committed_fraction"] - s["transactions_committed"] / s["transactions_submitted"]) < 1e-12,
          f"Tendermint n={n}: committed {s['transactions_committed']} + uncommitted {s['transactions_uncommitted']} "
          f"= submitted {s['transactions_submitted']}")

# 2. f Byzantine replicas of 3f + 1.
START = 0.5
stops_leaders = {"crash", "silent_leader", "equivocation", "leader_delay"}
for f in (1, 2):
    n = 3 * f + 1
    ids = list(range(f))  # the first leaders of PBFT and Tendermint, and HotStuff's first views
    for protocol in ("pbft", "hotstuff", "tendermint"):
        extra = ", timeout_commit: \"100 ms\"" if protocol == "tendermint" else ""
        for behaviour in ("crash", "silent_leader", "equivocation", "vote_withholding", "leader_delay"):
            params = "\n    params: {delay: \"10 s\"}" if behaviour == "leader_delay" else ""
            attack = f"attacks:\n  - attack: {behaviour}\n    nodes: {{ids: {ids}}}\n    start: \"{START} s\"{params}"
            results = []
            for seed in (1, 2, 3, 4, 5):
                s, dec, _ = run(protocol, n, blocks=80, seed=seed, params=extra, attack=attack)
                honest_after = dec[(dec["honest"] == 1) & (dec["time_s"] > START)]
                results.append((s["safety_violations"], s["decisions"], s["view_changes"], len(honest_after)))
            ok = all(v == 0 and dcount >= 80 and after > 0 for v, dcount, _, after in results)
            if behaviour in stops_leaders:
                ok = ok and all(vc > 0 for _, _, vc, _ in results)
            check(ok, f"{protocol} n={n}, {f} x {behaviour}: (violations, decisions, view changes, honest commits "
                      f"after the start) over 5 seeds = {results}")

# 3. Two equivocators of four on PBFT: replica 0 is the first primary.
s, dec, out = run("pbft", 4, blocks=20, attack="attacks:\n  - attack: equivocation\n    nodes: {ids: [0, 1]}")
with h5py.File(out, "r") as f:
    rows = f["safety_violations"][()]
check(s["safety_violations"] > 0 and len(rows) == s["safety_violations"]
      and all(r["digest_a"] != r["digest_b"] for r in rows),
      f"2 equivocators of 4: the monitor records {len(rows)} conflicting commits (both records per row)")
honest = dec[dec["honest"] == 1]
conflicting = {h for h in np.unique(honest["height"]) if len(np.unique(honest[honest["height"] == h]["digest"])) > 1}
check(len(conflicting) > 0, f"  honest replicas 2 and 3 committed different values at {len(conflicting)} heights")

# 4. Determinism.
attack = "attacks:\n  - attack: silent_leader\n    nodes: {ids: [1]}\n    start: \"1 s\""
_, _, a = run("hotstuff", 7, blocks=40, attack=attack, out="a.h5")
_, _, b = run("hotstuff", 7, blocks=40, attack=attack, out="b.h5")
check(filecmp.cmp(a, b, shallow=False), "a BFT run under attack, twice with the same seed: byte-identical files")

# 5. Processing cost on the critical path.
D, S = 0.010, 80e-6
for n, cpu in ((40, True), (40, False), (100, True)):
    path = os.path.join(d, "cpu.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: 1, stop: {{blocks: 40}}}}
network: {{idealised: true, nodes: {n}, delay: "{D * 1e3:g} ms"}}
consensus: {{protocol: hotstuff, params: {{tx_rate: 0, cpu_model: {str(cpu).lower()}, signature_verify: "80 us"}}}}
output: {{record: [decisions]}}
""")
    out = os.path.join(d, "cpu.h5")
    dltsim("run", path, "-o", out, "-q")
    with h5py.File(out, "r") as f:
        dec = f["decisions"][()]
    times = np.sort(dec[dec["replica"] == 5]["time_s"])
    steady = np.diff(times)[5:]
    q = 2 * ((n - 1) // 3) + 1
    expected = 2 * D + ((2 * q - 1) * S if cpu else 0)
    check(np.allclose(steady, expected, rtol=0, atol=1e-9),
          f"HotStuff n={n}, cost model {'on' if cpu else 'off'}: a view takes {steady.mean() * 1e3:.4f} ms, "
          f"2D + {'(2q - 1) s' if cpu else '0'} = {expected * 1e3:.4f} ms")

# 6. Honest replicas keep up under f equivocators.
attack = "attacks:\n  - attack: equivocation\n    nodes: {count: 10}"
for protocol in ("pbft", "hotstuff", "tendermint"):
    extra = ", timeout_commit: \"100 ms\"" if protocol == "tendermint" else ""
    for seed in (1, 2):
        s, dec, _ = run(protocol, 31, blocks=40, seed=seed, params=extra, attack=attack)
        honest = dec[dec["honest"] == 1]
        per_replica = np.array([np.sum(honest["replica"] == r) for r in np.unique(honest["replica"])])
        check(s["safety_violations"] == 0 and len(per_replica) == 21 and per_replica.min() >= s["decisions"] - 3,
              f"{protocol} n=31, 10 equivocators, seed {seed}: {s['decisions']} decisions, each of the "
              f"{len(per_replica)} honest replicas committed {per_replica.min()} to {per_replica.max()}, "
              f"catch-ups {s.get('messages_commit_request', 0)}")
done()
