"""The longest-chain families beyond Nakamoto's longest chain (issue 13), through the command line:

- determinism: GHOST with uncles (ethereum-2019 scaled down) and Praos (praos scaled down), each run
  twice with the same seed, give byte-identical files; the resolved scenario in a file reruns to the
  same tables;
- what a researcher sees: `dltsim list` names praos, `describe` gives the new parameters with their
  sources, `dltsim theory praos` and `delay` give their closed forms;
- bad input is an error at its line naming the allowed values: an unknown fork choice, an active slot
  coefficient of 0 or above 1, a protocol parameter of the other family (fork_choice on praos), too
  many uncles, a BFT behaviour on praos;
- Praos never builds a block on a block of the same slot, and every slot's blocks come from its
  leaders; with uncles, every uncle is a stale block within 6 heights whose parent is on the chain.
"""

import filecmp
import os

import h5py
import numpy as np

from clitest import check, dltsim, done, scenario, workdir

d = workdir()

# ---- determinism ----
for name, sets in (("ethereum-2019.yaml", ["network.nodes=150", "general.stop.blocks=150"]),
                   ("praos.yaml", ["network.nodes=150", "general.stop.time=6000 s"])):
    a, b = os.path.join(d, "a.h5"), os.path.join(d, "b.h5")
    args = [x for s in sets for x in ("--set", s)]
    dltsim("run", scenario(name), "-o", a, "-q", *args)
    dltsim("run", scenario(name), "-o", b, "-q", *args)
    check(filecmp.cmp(a, b, shallow=False), f"{name}: two runs with the same seed give byte-identical files")
    with h5py.File(a, "r") as f:
        resolved = f["provenance/resolved_yaml"][()].decode()
        tables = {t: f[t][()] for t in f if t not in ("provenance", "summary")}
    path = os.path.join(d, "resolved.yaml")
    with open(path, "w") as f:
        f.write(resolved)
    dltsim("run", path, "-o", b, "-q")
    with h5py.File(b, "r") as f:
        same = all(t in f and len(f[t]) == len(v) and all(
            np.array_equal(f[t][()][c], v[c], equal_nan=v[c].dtype.kind == "f") for c in v.dtype.names)
            for t, v in tables.items())
    check(same, f"{name}: the resolved scenario reruns to the same tables")

# ---- what the command line says ----
listing = dltsim("list").stdout
check("praos" in listing, "dltsim list names praos")
described = dltsim("describe", "praos").stdout
check(all(k in described for k in ("active_slot_coefficient", "settlement_depth", "activeSlotsCoeff", "slots")),
      "describe praos: its parameters, Cardano's sources, its tables")
described = dltsim("describe", "nakamoto").stdout
check(all(k in described for k in ("fork_choice", "max_uncles", "nephew_reward", "yellow paper", "rewards")),
      "describe nakamoto: fork choice, uncles, rewards table")
theory = dltsim("theory", "praos", "f=0.2", "alpha=0.47", "delta=3").stdout
check("private_threshold" in theory and "0.4448" in theory, f"dltsim theory praos: {' '.join(theory.split())[-60:]}")
theory = dltsim("theory", "delay", "x=0.1").stdout
check("0.0909091" in theory and "1.04837" in theory, "dltsim theory delay: stale rate and uncle distance")


# ---- bad input ----
def error(consensus, attacks=""):
    path = os.path.join(d, "bad.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{stop: {{blocks: 1}}}}
network: {{idealised: true, nodes: 10}}
consensus: {consensus}
{attacks}
""")
    r = dltsim("validate", path, check=False)
    return r.returncode, r.stderr.strip()


for consensus, attacks, want in [
        ("{protocol: nakamoto, params: {fork_choice: heaviest}}", "", "one of: longest, ghost"),
        ("{protocol: praos, params: {active_slot_coefficient: 0}}", "", "(0, 1]"),
        ("{protocol: praos, params: {active_slot_coefficient: 1.5}}", "", "(0, 1]"),
        ("{protocol: praos, params: {fork_choice: ghost}}", "", "unknown parameter 'fork_choice'"),
        ("{protocol: nakamoto, params: {max_uncles: 17}}", "", "[0, 16]"),
        ("{protocol: praos}", "attacks: [{attack: crash, nodes: {count: 1}}]", "praos")]:
    code, err = error(consensus, attacks)
    check(code == 2 and "bad.yaml:" in err and want in err, f"{consensus} {attacks}: {err}")

# ---- the rules, on the blocks ----
out = os.path.join(d, "praos.h5")
dltsim("run", scenario("praos-private-chain.yaml"), "-o", out, "-q", "--set", "general.stop.time=20000 s")
with h5py.File(out, "r") as f:
    blocks, slots = f["blocks"][()], f["private_chain_attempts"][()]
slot = np.rint(blocks["time_s"]).astype(np.int64)  # 1 s slots
by_id = dict(zip(blocks["id"].tolist(), slot.tolist()))
parent_slot = np.array([by_id.get(int(p), 0) for p in blocks["parent"]])
check((parent_slot < slot).all() and np.allclose(blocks["time_s"], slot, atol=1e-9),
      f"praos: every block is made at a slot start, after its parent's slot ({len(blocks)} blocks)")

out = os.path.join(d, "uncles.h5")
dltsim("run", scenario("ethereum-2019.yaml"), "-o", out, "-q", "--set", "network.nodes=200",
       "--set", "general.stop.blocks=300", "--set", "consensus.params.block_interval=3 s")
with h5py.File(out, "r") as f:
    s = {k: v for k, v in f["summary"].attrs.items() if "." not in k}
    rewards, blocks = f["rewards"][()], f["blocks"][()]
check(s["uncles"] > 0 and s["uncles"] <= s["blocks_stale"] and 1 <= s["uncle_distance_mean"] <= 6,
      f"ethereum-2019 at 3 s blocks: {s['uncles']} uncles of {s['blocks_stale']} stale blocks, mean distance "
      f"{s['uncle_distance_mean']:.2f}")
check(abs(rewards["total"].sum() - s["reward_total"]) < 1e-9 * s["reward_total"]
      and rewards["blocks_main"].sum() == s["blocks_main"] and rewards["uncles"].sum() == s["uncles"],
      "the rewards table adds up to the summary: main-chain blocks, uncles, total")
done()
