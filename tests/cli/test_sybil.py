"""Sybil relays (issue 12): the attack's nodes withhold, delay or silently drop the blocks of others.

300 bitcoin-2019 nodes, 20 % of them Sybils, 20 blocks, whole blocks (no compact blocks) and Bitcoin
Core's download timeout of one block interval (600 s, no per-peer term), against the same seed
without the attack:

- silent: Sybils announce nothing they did not mine, so nobody asks them and nobody times out: every
  node still gets every main-chain block (the honest nodes stay connected here), with one getdata per
  arrival as without the attack, and no faster (p50 propagation not below the baseline's);
- withhold: a node that asks a Sybil first gets nothing and asks another announcer after the timeout:
  blocks delivered equal arrivals (the withheld ones never come), getdata exceed arrivals by exactly
  the withheld blocks (one timed-out request each), and the longest wait grows by the timeout;
- delay (20 s, under the timeout): no timeout, so getdata, blocks delivered and arrivals are equal,
  and every main-chain block reaches every node (forks may differ from the run without the attack);
- with address tables and churn, Sybils advertise and accept every connection: the honest nodes'
  share of connections to Sybils grows over the run (table sybil_connections);
- an unknown rule is an error naming the allowed ones.
"""

import os

import h5py
import numpy as np

from clitest import check, dltsim, done, workdir

d = workdir()
TIMEOUT = 600.0


def run(attack, extra_network="", record="arrivals, blocks, messages", stop="blocks: 20"):
    path = os.path.join(d, "sybil.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: 2, stop: {{{stop}}}}}
network: {{preset: bitcoin-2019, nodes: 300{extra_network}}}
consensus:
  protocol: nakamoto
  params: {{block_interval: "600 s", compact_blocks: false, download_timeout_per_peer: 0}}
{attack}
output: {{record: [{record}]}}
""")
    out = os.path.join(d, "sybil.h5")
    dltsim("run", path, "-o", out, "-q")
    with h5py.File(out, "r") as f:
        tables = {k: f[k][()] for k in f.keys() if k not in ("summary", "provenance")}
        return tables, dict(f["summary"].attrs)


def sybil(rule, delay=""):
    return f"attacks: [{{attack: sybil, nodes: {{fraction: 0.2}}, params: {{blocks: {rule}{delay}}}}}]"


def delays(arrivals):
    a = arrivals[arrivals["late"] == 0]
    return {(int(n), int(b)): float(x) for n, b, x in zip(a["node"], a["block"], a["delay_s"])}


def delivered(t, s):
    msgs = t["messages"]
    is_block = [n.decode().rstrip("\x00") == "block" for n in msgs["type"]]
    return s["messages_block"] - int(msgs["dropped"][is_block].sum()), int(msgs["dropped"][is_block].sum())


def main_chain_complete(t):
    main = set(int(b) for b in t["blocks"]["id"][t["blocks"]["on_main_chain"] == 1])
    a = t["arrivals"]
    counts = np.bincount(a["block"][np.isin(a["block"], list(main))])
    return all(counts[b] == 299 for b in main)


base, bs = run("")
base_delays = delays(base["arrivals"])
n_arrivals = len(base["arrivals"])

t, s = run(sybil("silent"))
check(main_chain_complete(t), f"silent: every main-chain block reaches every node ({len(t['arrivals'])} arrivals)")
check(s["messages_getdata"] == len(t["arrivals"]) == bs["messages_getdata"],
      f"silent: one getdata per arrival ({s['messages_getdata']}), no timeout")
check(s["sybil_blocks_held"] > 0 and s["propagation_p50_s"] >= bs["propagation_p50_s"],
      f"silent: {s['sybil_blocks_held']} messages held; p50 {s['propagation_p50_s']:.3f} s against "
      f"{bs['propagation_p50_s']:.3f} s")

t, s = run(sybil("withhold"))
got, dropped = delivered(t, s)
grew = [delays(t["arrivals"])[k] - base_delays[k] for k in delays(t["arrivals"]) if k in base_delays]
check(got == len(t["arrivals"]), f"withhold: {got} blocks delivered for {len(t['arrivals'])} arrivals: the "
                                 "withheld ones never come")
check(dropped == s["sybil_blocks_held"] > 0 and s["messages_getdata"] - len(t["arrivals"]) == dropped,
      f"withhold: each of the {dropped} withheld blocks cost one request that timed out and one more request")
check(max(grew) >= TIMEOUT - 10, f"withhold: the longest wait grew by {max(grew):.0f} s (timeout {TIMEOUT:.0f} s)")

t, s = run(sybil("delay", ", delay: 20 s"))
got, _ = delivered(t, s)
check(s["messages_getdata"] == got == len(t["arrivals"]) and main_chain_complete(t),
      f"delay 20 s: {s['messages_getdata']} getdata, one per arrival (no timeout); every main-chain block "
      "reaches every node")

t, s = run(sybil("withhold"), ", churn: {fraction: 0.3, session: 2 h, downtime: 30 min}, peers: {}",
           "sybil_connections", "time: 24 h")
share = t["sybil_connections"]["to_sybils"] / t["sybil_connections"]["honest_connections"]
check(share[-1] > share[0], f"with churn and address tables the Sybils' share of honest connections grows "
                           f"from {share[0]:.3f} to {share[-1]:.3f}")

path = os.path.join(d, "bad.yaml")
with open(path, "w") as f:
    f.write("""general: {stop: {blocks: 1}}
network: {preset: bitcoin-2019, nodes: 100}
consensus: {protocol: nakamoto}
attacks: [{attack: sybil, nodes: {count: 5}, params: {blocks: eat}}]
""")
r = dltsim("validate", path, check=False)
check(r.returncode != 0 and "withhold" in r.stderr and "silent" in r.stderr, f"unknown rule: {r.stderr.strip()}")
done()
