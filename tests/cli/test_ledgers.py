"""Several ledgers in one run (docs/interconnect.md): a ledger run beside another, with no bridge
between them, gives exactly the tables and summary it gives alone with the same seed; the run is
byte-reproducible; the custodial bridge credits and finalises transfers as its rule says; bad
input is a located error."""

import os
import re
import subprocess

import h5py
import numpy as np

from clitest import ARGS, check, dltsim, done, scenario, workdir

SMALL = scenario("interconnect/small-pow-chain.yaml")
DEST = scenario("interconnect/exchange-chain.yaml")
w = workdir()


def write(name, text):
    path = os.path.join(w, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# --- Two ledgers, no bridge: each as it is alone --------------------------------------------------
two = write("two.yaml", f"""general:
  seed: 11
  stop: {{time: 40 min}}
ledgers:
  - name: source
    scenario: {SMALL}
    set: {{network.nodes: 120}}
  - name: destination
    scenario: {DEST}
    set: {{network.nodes: 80, consensus.params.block_interval: 120 s}}
""")
out = os.path.join(w, "two.h5")
dltsim("run", two, "-o", out, "-q")
with h5py.File(out, "r") as f:
    check(sorted(f["ledgers"].keys()) == ["destination", "source"], "one group per ledger")
    check(f["provenance"].attrs["ledgers"].decode() == "source\ndestination", "provenance names the ledgers")
    top = dict(f["summary"].attrs)
    for name, sets in (("source", ["network.nodes=120"]),
                       ("destination", ["network.nodes=80", "consensus.params.block_interval=120 s"])):
        g = f["ledgers"][name]
        seed = int(g["provenance"].attrs["seed"])
        alone = os.path.join(w, f"alone-{name}.h5")
        args = ["run", SMALL if name == "source" else DEST, "-q", "-o", alone, "--seed", str(seed),
                "--set", "general.stop.time=40 min"]
        for s in sets:
            args += ["--set", s]
        dltsim(*args)
        with h5py.File(alone, "r") as a:
            mine = dict(g["summary"].attrs)
            theirs = dict(a["summary"].attrs)
            same = sorted(mine) == sorted(theirs) and all(
                (isinstance(mine[k], float) and np.isnan(mine[k]) and np.isnan(theirs[k])) or mine[k] == theirs[k]
                for k in mine)
            check(same, f"{name}: summary as alone ({len(mine)} values)")
            tables = [t for t in g if isinstance(g[t], h5py.Dataset) and g[t].dtype.names]
            check(tables and all(g[t][()].tobytes() == a[t][()].tobytes() for t in tables),
                  f"{name}: {len(tables)} tables byte-identical to the run alone")
            check(top[f"{name}_blocks_produced"] == theirs["blocks_produced"], f"{name}: prefixed in the run's summary")

# --- Reproducible --------------------------------------------------------------------------------
again = os.path.join(w, "again.h5")
dltsim("run", two, "-o", again, "-q")
check(open(out, "rb").read() == open(again, "rb").read(), "same scenario and seed: identical file bytes")

# --- The custodial bridge ------------------------------------------------------------------------
bridge = write("bridge.yaml", f"""general:
  seed: 3
  stop: {{time: 3 h}}
ledgers:
  - name: source
    scenario: {SMALL}
    set: {{network.nodes: 100, transactions.template_refresh: 0 s}}
  - name: destination
    scenario: {DEST}
    set: {{network.nodes: 60, consensus.params.block_interval: 60 s, transactions.template_refresh: 0 s}}
bridges:
  - name: exchange
    mechanism: custodial
    source: source
    destination: destination
    params: {{confirmations: 6, destination_confirmations: 2, exchange_node: 5, exchange_node_destination: 7,
              deposits_per_hour: 60, reaction: 2 s}}
""")
bout = os.path.join(w, "bridge.h5")
dltsim("run", bridge, "-o", bout, "-q")
with h5py.File(bout, "r") as f:
    s = dict(f["summary"].attrs)
    t = f["bridge_transfers"][()]
    blocks = f["ledgers/source/blocks"][()]
    check(s["exchange_deposits"] == len(t) and len(t) > 100, f"{len(t)} deposits in 3 h at 60/h")
    check(s["exchange_thefts"] == 0 and s["exchange_theft_rate"] == 0, "no attack: no theft")
    credited = t[~np.isnan(t["credited_s"])]
    check(len(credited) == s["exchange_credited"] and len(credited) > 0.8 * len(t), f"{len(credited)} credited")
    # A credit comes after its deposit's block and five more on the exchange's chain: the time from the
    # deposit to its credit is at least the mining time of the sixth block from the deposit's.
    mined = {int(b["height"]): float(b["time_s"]) for b in blocks if b["on_main_chain"]}
    late = [r for r in credited if r["deposit_height"] + 5 in mined and r["credited_s"] < mined[r["deposit_height"] + 5]]
    check(not late, f"every credit after block deposit_height + 5 was mined ({len(late)} early)")
    # Mean credit delay against k T (Poisson blocks, memoryless: creation to the k-th block is Gamma(k, T),
    # plus propagation). Deposits in one block share their blocks: the standard error comes from the
    # means per inclusion height (clusters), not from the deposits as if independent.
    delay = credited["credited_s"] - credited["created_s"]
    heights = np.unique(credited["deposit_height"])
    per = np.array([delay[credited["deposit_height"] == h].mean() for h in heights])
    se = per.std(ddof=1) / np.sqrt(len(per))
    check(abs(delay.mean() - 6 * 60) < 4 * se + 10,
          f"credit delay {delay.mean():.0f} s against k T = 360 s (+- 4 x {se:.0f} s cluster SE + 10 s propagation)")
    final = credited[~np.isnan(credited["final_s"])]
    check(len(final) > 0 and np.all(final["final_s"] >= final["credited_s"] + 2), "final after credit and reaction")

# --- The report shows the ledgers one after the other and the bridge's table ------------------
page = os.path.join(w, "bridge.html")
dltsim("report", bout, "-o", page)
with open(page) as f:
    html = f.read()
check(all(x in html for x in ("Ledger source", "Ledger destination", "bridge_transfers")),
      "dltsim report: a section per ledger and the bridge's table")

# --- Bad input: located errors -------------------------------------------------------------------
def bad(name, text, pattern):
    path = write(name, text)
    r = dltsim("validate", path, check=False)
    ok = r.returncode != 0 and re.search(pattern, r.stderr) is not None and f"{name}:" in r.stderr
    check(ok, f"{name}: {r.stderr.strip()[:160]}")

base = f"""general:
  seed: 1
  stop: {{time: 1 h}}
ledgers:
  - name: source
    scenario: {SMALL}
  - name: destination
    scenario: {DEST}
"""
bridge_head = """bridges:
  - name: exchange
    mechanism: custodial
"""
bad("unknown-ledger.yaml", base + bridge_head + "    source: elsewhere\n    destination: destination\n",
    r"bridges\[0\]\.source.*elsewhere.*source, destination")
bad("zero-conf.yaml", base + bridge_head + "    source: source\n    destination: destination\n    params: {confirmations: 0}\n",
    r"confirmations: 0.*unconfirmed: true")
bad("same-ledger.yaml", base + bridge_head + "    source: source\n    destination: source\n",
    r"already the bridge's source")
bad("node-range.yaml", base + bridge_head + "    source: source\n    destination: destination\n    params: {exchange_node: 5000}\n",
    r"exchange_node: node 5000 does not exist")
bad("blocks-stop.yaml", base.replace("{time: 1 h}", "{blocks: 10}"), r"general\.stop\.blocks.*one clock")
bad("twice.yaml", base.replace("name: destination", "name: source"), r"declared twice")
bad("bad-name.yaml", base.replace("name: destination", "name: Dest-1"), r"a ledger name is")
bad("unknown-key.yaml", base + "colour: blue\n", r"unknown key 'colour'")
bad("unknown-mechanism.yaml", base + "bridges:\n  - {name: b, mechanism: wormhole, source: source, destination: destination}\n",
    r"mechanism.*custodial")
r = dltsim("validate", two, "--set", "ledgers.nowhere.network.nodes=5", check=False)
check(r.returncode != 0 and "no ledger named 'nowhere'" in r.stderr, "--set to an unknown ledger: " + r.stderr.strip()[:120])
r = dltsim("validate", two, "--set", "ledgers.source.network.nodes=-5", check=False)
check(r.returncode != 0 and "network.nodes" in r.stderr, "--set routed to a ledger is checked there: " + r.stderr.strip()[:120])
done()
