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
        if "idealised: true" not in f.read():
            small += ["--set", "network.nodes=200"]
    out = os.path.join(d, name.replace(".yaml", ".h5"))
    r = dltsim("run", path, "-o", out, "--no-progress", *small, check=False)
    check(r.returncode == 0 and os.path.exists(out), f"{name} runs ({r.stderr.strip()[:200]})")
    if os.path.exists(out):
        check(summary(out)["blocks_produced"] >= 1, f"{name} produced blocks")
done()
