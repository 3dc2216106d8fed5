"""Every shipped scenario validates and runs (scaled down: few blocks, fewer nodes) to a complete file;
the multi-ledger ones of scenarios/interconnect run one simulated hour (their ledger files validate
and run as their ledgers)."""

import glob
import os

from clitest import ARGS, check, dltsim, done, summary, workdir

d = workdir()
paths = sorted(glob.glob(os.path.join(ARGS.scenarios, "*.yaml")))
paths += sorted(glob.glob(os.path.join(ARGS.scenarios, "interconnect", "*.yaml")))
for path in paths:
    name = os.path.relpath(path, ARGS.scenarios)
    r = dltsim("validate", path, check=False)
    check(r.returncode == 0 and r.stdout.strip() == "ok", f"{name} validates")
    with open(path) as f:
        text = f.read()
    if "\nledgers:" in text:
        out = os.path.join(d, name.replace("/", "-").replace(".yaml", ".h5"))
        r = dltsim("run", path, "-o", out, "--no-progress", "--set", "general.stop.time=1 h", check=False)
        check(r.returncode == 0 and os.path.exists(out), f"{name} runs ({r.stderr.strip()[:200]})")
        if os.path.exists(out):
            s = summary(out)
            produced = [v for k, v in s.items() if k.endswith("_blocks_produced")]
            check(s.get("ledgers", 0) >= 2 and produced and min(produced) >= 1, f"{name}: every ledger produced blocks")
        continue
    if os.path.dirname(name):
        continue  # a ledger file of the multi-ledger scenarios beside it: they run it
    small = ["--set", "general.stop.blocks=5"]
    # Committees (complete meshes) run at their size: their attacks name replicas by id.
    if "idealised: true" not in text and "model: complete" not in text:
        small += ["--set", "network.nodes=200"]
    out = os.path.join(d, name.replace("/", "-").replace(".yaml", ".h5"))
    r = dltsim("run", path, "-o", out, "--no-progress", *small, check=False)
    check(r.returncode == 0 and os.path.exists(out), f"{name} runs ({r.stderr.strip()[:200]})")
    if os.path.exists(out):
        s = summary(out)
        check(s.get("blocks_produced", s.get("decisions", 0)) >= 1, f"{name} produced blocks or decisions")
done()
