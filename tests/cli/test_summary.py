"""The summary as a researcher reads it: every value has a doc (and a unit where it has one) in the
file, `run --json` prints the same values as the file, and a value the run cannot define is null /
NaN with the reason, never a number that reads as a result."""

import json
import math
import os

import h5py

from clitest import check, dltsim, done, scenario, workdir

d = workdir()
out = os.path.join(d, "q.h5")
r = dltsim("run", scenario("quickstart.yaml"), "-o", out, "--json", "--set", "network.nodes=200")
j = json.loads(r.stdout)
with h5py.File(out, "r") as f:
    attrs = dict(f["summary"].attrs)
values = {k: v for k, v in attrs.items() if "." not in k}
check(set(j["summary"]) == set(values), f"--json prints the file's {len(values)} summary values")
mismatch = [k for k, v in values.items()
            if not (j["summary"][k] is None and isinstance(v, float) and math.isnan(v))
            and (j["summary"][k] != (v.decode() if isinstance(v, bytes) else v.item()))]
check(not mismatch, f"with the same values ({mismatch[:5]})")
check(all(k + ".doc" in attrs for k in values), "every summary value has a doc in the file")
check(attrs["propagation_p50_s.unit"] in (b"s", "s") and j["units"]["propagation_p50_s"] == "s",
      "and a unit where it has one, in the file and the JSON")
check(j["complete"] is True and j["output"] == out, "the JSON says the run completed and where the file is")

# A selfish pool that never races: gamma cannot be observed, and the theory beside it says so.
honest = os.path.join(d, "no-races.yaml")
with open(honest, "w") as f:
    f.write("""general: {seed: 3, stop: {blocks: 300}}
network: {preset: bitcoin-2019, nodes: 40, topology: {outbound: 8}}
consensus: {protocol: nakamoto}
attacks: [{attack: selfish_mining, nodes: {ids: [0]}, params: {alpha: 0.3, strategy: honest}}]
""")
j = json.loads(dltsim("run", honest, "-o", os.path.join(d, "h.h5"), "--json").stdout)
s, notes = j["summary"], j["notes"]
check(s["selfish_mining_gamma_races"] == 0, "an honest pool has no tie race")
check(s["selfish_mining_gamma_observed"] is None and "no tie race" in notes["selfish_mining_gamma_observed"],
      f"gamma_observed is null with the reason: {notes.get('selfish_mining_gamma_observed')}")
check(s["selfish_mining_theory_revenue_sm1"] is None and s["selfish_mining_theory_gamma_source"].startswith("none"),
      "the closed form at an unknown gamma is null, and theory_gamma_source says why")
check(s["stale_rate_honest"] is not None and s["blocks_stale_adversarial"] >= 0,
      "stale blocks are split into honest and adversarial ones")
done()
