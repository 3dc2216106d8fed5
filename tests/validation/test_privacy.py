"""Origin estimators and Dandelion++ against closed forms (docs/privacy.md).

1. Diffusion on a d-regular tree (d = 3, 4) with a supernode connected once to every node, honest
   and adversary links both exponential with mean 1 s (Fanti and Viswanath's model with theta = 1):
   the first-timestamp estimator is right when the source's own report comes first. In the state
   with k infected nodes and no report yet, the source reports at rate 1, the others at rate k - 1,
   and a new node is infected at rate B_k = (d - 2) k + 2 (the boundary edges), so
       P = sum_{k>=1} prod_{j<k} B_j / (j + B_j) * 1 / (k + B_k)
   (0.5 for d = 3, 0.4328 for d = 4). Tolerance: 4 binomial standard errors; the run's extra hops
   (1 ms per message) and the cut tree (the spread almost never reaches depth 6 before a report)
   move P by far less.
2. Dandelion++ (per-epoch diffusers, two relays, per-edge routing, one epoch) with honest-but-curious
   spies holding a share p of the nodes, every node sending one transaction: the source always
   stems on its own relay, so the first spy names the source when that relay is a spy: first-spy
   recall = p' = spies / (n - 1) (the lower bound p on recall that Dandelion++ attains, Fanti et al.
   2018), within 4 binomial standard errors plus 0.02 (a stem that loops back to its source, or the
   source's embargo timer firing first, makes the source the fluff node); expected precision between the lower bound p^2 that any relay leaves the
   adversary (Venkatakrishnan, Fanti and Viswanath 2017) and p' (a node is only ever named right when
   its relay is a spy); and below plain trickle relay's at the same spies.
3. The intersection argument (BIP 156, Fanti on bitcoin-dev 2017): with every node sending m = 4
   transactions in one epoch, per-transaction routing sends a node's transactions over both its
   relays, so the node is linked to at least one of them when either relay is a spy and carried one:
   p'^2 + 2 p' (1 - p') (1 - 2^-m), against p' with per-edge routing, which keeps them on one relay.
   The embargo is set long so that no stem node fluffs on its timer (the fail-safe names the node
   whose timer fires, which adds linking of its own). Tolerance: 4 binomial standard errors plus 0.02.
4. Controls: a supernode that connects to nobody names nobody (precision NaN with its note, recall
   0); with every node but the senders a spy and plain trickle relay on the idealised network, the
   first spy names the sender every time (precision 1).
"""

import math
import os
import sys

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()


def write(name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def run(name, text):
    path = write(name + ".yaml", text)
    out = os.path.join(d, name + ".h5")
    dltsim("run", path, "-o", out, "-q")
    return summary(out), out


def first_timestamp_closed_form(deg, terms=20000):
    p, prod = 0.0, 1.0
    for k in range(1, terms):
        b = (deg - 2) * k + 2
        p += prod * 1.0 / (k + b)
        prod *= b / (k + b)
    return p


def binomial_se(p, n):
    return math.sqrt(p * (1 - p) / n)


# 1. Diffusion on regular trees, a supernode on every node.
for deg, nodes in ((3, 1534), (4, 1458)):
    s, _ = run(f"tree{deg}", f"""
general: {{seed: {deg}, stop: {{time: 4000 s}}}}
network:
  nodes: {nodes}
  regions: [{{name: A, share: 1, download: unlimited, upload: unlimited}}]
  latency: {{uniform: "0.5 ms"}}
  topology: {{model: tree, outbound: {deg}}}
consensus: {{protocol: nakamoto, params: {{block_interval: "1000000 s"}}}}
transactions:
  tx_per_s: 0.5
  origin: shares
  origin_shares: [1]
  size_law: fixed
  fee_law: fixed
  relay: diffusion
  diffusion_delay: 1 s
  nonpreferred_delay: 0 s
  sample_nodes: 0
  overload: true
attacks:
  - attack: supernode
    nodes: {{ids: [{nodes - 1}]}}
""")
    n = int(s["supernode_transactions"])
    got = float(s["supernode_first_timestamp_precision"])
    want = first_timestamp_closed_form(deg)
    tol = 4 * binomial_se(want, n)
    check(abs(got - want) <= tol,
          f"d = {deg}: first-timestamp precision {got:.4f} over {n} transactions, closed form {want:.4f} +- {tol:.4f}")
    check(int(s["supernode_first_timestamp_guessed"]) == n, f"d = {deg}: the supernode heard every transaction")


# 2. Dandelion++ with honest-but-curious spies.
NODES = 1000


def spies_run(name, p, stem, rounds=1, extra=""):
    txs = NODES * rounds
    return run(name, f"""
general: {{seed: 11, stop: {{time: {txs / 2 + 60:.0f} s}}}}
network:
  nodes: {NODES}
  regions: [{{name: A, share: 1, download: unlimited, upload: unlimited}}]
  latency: {{uniform: "50 ms"}}
  topology: {{model: random, outbound: 8}}
consensus: {{protocol: nakamoto, params: {{block_interval: "1000000 s"}}}}
transactions:
  tx_per_s: 2
  origin: cycle
  size_law: fixed
  fee_law: fixed
  overload: true
  sample_nodes: 0
  {stem}
attacks:
  - attack: spies
    nodes: {{fraction: {p}}}
    end: {txs / 2:.0f} s
{extra}""")[0]


DPP = "stem: {preset: dandelion++, epoch: 1000000 s}"
for p in (0.1, 0.2, 0.3):
    s = spies_run(f"dpp{p}", p, DPP)
    spies = round(p * NODES)
    pe = spies / (NODES - 1)
    n = int(s["spies_transactions"])
    recall = float(s["spies_first_timestamp_recall"])
    tol = 4 * binomial_se(pe, n) + 0.02
    check(abs(recall - pe) <= tol, f"p = {p}: Dandelion++ first-spy recall {recall:.4f}, p' = {pe:.4f} +- {tol:.4f}")
    prec = float(s["spies_first_timestamp_node_precision"])
    check(p * p - 4 * binomial_se(p * p, n) <= prec <= pe + tol,
          f"p = {p}: Dandelion++ first-spy precision {prec:.4f} within [p^2, p'] = [{p * p:.4f}, {pe:.4f}]")
    if p == 0.2:
        t = spies_run("trickle0.2", p, "")
        plain = float(t["spies_first_timestamp_node_precision"])
        check(plain > prec + 4 * binomial_se(plain, n),
              f"p = 0.2: trickle's first-spy precision {plain:.4f} above Dandelion++'s {prec:.4f}")

# 3. Intersection: per-transaction against per-edge routing of a node's own transactions.
p, rounds = 0.2, 4
pe = round(p * NODES) / (NODES - 1)
linked = {}
for routing in ("per_edge", "per_transaction"):
    # A long embargo: no stem node fluffs on its timer, so a node is named only through its relays.
    s = spies_run(f"route-{routing}", p,
                  f"stem: {{preset: dandelion++, epoch: 1000000 s, embargo: 100000 s, routing: {routing}}}",
                  rounds=rounds)
    linked[routing] = float(s["spies_first_timestamp_nodes_linked_share"])
honest = NODES - round(p * NODES)
per_tx = pe * pe + 2 * pe * (1 - pe) * (1 - 2.0 ** -rounds)
for routing, want in (("per_edge", pe), ("per_transaction", per_tx)):
    tol = 4 * binomial_se(want, honest) + 0.02
    check(abs(linked[routing] - want) <= tol,
          f"{routing}: nodes linked {linked[routing]:.4f}, expected {want:.4f} +- {tol:.4f}")

# 4. Controls.
s, out = run("nobody", f"""
general: {{seed: 2, stop: {{time: 300 s}}}}
network: {{idealised: true, nodes: 30}}
consensus: {{protocol: nakamoto, params: {{block_interval: "600 s"}}}}
transactions: {{tx_per_s: 0.2, sample_nodes: 0}}
attacks:
  - attack: supernode
    nodes: {{ids: [29]}}
    params: {{reach: 0}}
""")
check(int(s["supernode_transactions"]) > 20, "transactions were created")
with h5py.File(out, "r") as f:
    attrs = f["summary"].attrs
    for est in ("first_timestamp", "reporting_centre", "timing_fit"):
        v = attrs[f"supernode_{est}_precision"]
        check(math.isnan(v) and "heard no transaction" in attrs[f"supernode_{est}_precision.note"].decode(),
              f"{est}: no listener, precision undefined with its note")
        check(attrs[f"supernode_{est}_recall"] == 0, f"{est}: no listener, recall 0")

senders = 5
ids = ", ".join(str(i) for i in range(senders, 50))
s, _ = run("everyone", f"""
general: {{seed: 2, stop: {{time: 600 s}}}}
network: {{idealised: true, nodes: 50}}
consensus: {{protocol: nakamoto, params: {{block_interval: "600 s"}}}}
transactions: {{tx_per_s: 0.2, origin: shares, origin_shares: [0.2, 0.2, 0.2, 0.2, 0.2], sample_nodes: 0}}
attacks:
  - attack: spies
    nodes: {{ids: [{ids}]}}
""")
check(int(s["spies_transactions"]) > 50, "the senders created transactions")
check(float(s["spies_first_timestamp_precision"]) >= 0.99,
      f"every other node a spy: first-timestamp precision {float(s['spies_first_timestamp_precision']):.4f}")
done()
