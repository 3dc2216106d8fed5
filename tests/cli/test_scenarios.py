"""Every shipped scenario validates and runs (scaled down: few blocks, fewer nodes) to a complete file."""

import glob
import os

from clitest import ARGS, check, dltsim, done, summary, workdir

d = workdir()
for path in sorted(glob.glob(os.path.join(ARGS.scenarios, "*.yaml"))):
    name = os.path.basename(path)
    r = dltsim("validate", path, check=False)
    check(r.returncode == 0 and r.stdout.strip() == "ok", f"{name} validates")
    small = ["--set", "general.stop.blocks=5"]
    with open(path) as f:
        text = f.read()
    # Committees (complete meshes) run at their size: their attacks name replicas by id.
    if "idealised: true" not in text and "model: complete" not in text:
        small += ["--set", "network.nodes=200"]
    out = os.path.join(d, name.replace(".yaml", ".h5"))
    r = dltsim("run", path, "-o", out, "--no-progress", *small, check=False)
    check(r.returncode == 0 and os.path.exists(out), f"{name} runs ({r.stderr.strip()[:200]})")
    if os.path.exists(out):
        s = summary(out)
        check(s.get("blocks_produced", s.get("decisions", 0)) >= 1, f"{name} produced blocks or decisions")
done()
