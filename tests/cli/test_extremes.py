"""Every numeric parameter of every protocol and attack at the edges of what the scenario schema
accepts (its range bounds, the largest and smallest finite values): validate either rejects the
value with a located error, or the run completes, exit 0, silently (-q), with a readable result. No
value that validates may crash or hang."""

import math
import os
import subprocess
import sys

import h5py

from clitest import ARGS, check, dltsim, done, workdir

# The parameter declarations, from the Python package built beside the binary.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(ARGS.dltsim)), "python"))
import dltsim as dltsim_py  # noqa: E402

d = workdir()
catalog = {"protocols": dltsim_py.protocols(), "attacks": dltsim_py.attacks()}

BASE = """general: {{seed: 2, stop: {{blocks: 3, time: "30 d"}}}}
network: {{preset: bitcoin-2019, nodes: 30, topology: {{outbound: 8}}}}
consensus:
  protocol: nakamoto
{power}{params}
{attacks}"""


def candidates(p):
    """Values at the edges of a parameter's declared range, written with its unit."""
    unit = {"duration": " s", "size": " B", "rate": " bit/s"}.get(p["type"], "")
    lo, hi = p["range"]
    values = set()
    for v in (lo, hi):
        if v is not None and math.isfinite(v):
            values.add(v)
    values |= {1e-300, 1e300, 1.7e308}
    if p["type"] == "integer":
        values = {int(v) for v in values if abs(v) < 2**62} | {2**62}
    return [f"{v}{unit}" for v in sorted(values)]


runs = 0
for kind in ("protocols", "attacks"):
    for ext in catalog[kind]:
        for p in ext["params"]:
            if p["type"] in ("choice", "boolean"):
                continue
            for value in candidates(p):
                if kind == "protocols":
                    params = f"  params: {{{p['name']}: \"{value}\"}}"
                    attacks = ""
                else:
                    params = ""
                    attacks = (f"attacks:\n  - attack: {ext['name']}\n    nodes: {{ids: [0]}}\n"
                               f"    params: {{{p['name']}: \"{value}\"}}\n")
                text = BASE.format(power="", params=params, attacks=attacks)
                path = os.path.join(d, f"{ext['name']}-{p['name']}.yaml")
                with open(path, "w") as f:
                    f.write(text)
                label = f"{ext['name']}.{p['name']} = {value}"
                v = dltsim("validate", path, check=False)
                if v.returncode != 0:
                    check(v.returncode == 2 and f"{path}:" in v.stderr,
                          f"{label}: rejected with a location ({v.stderr.strip()[-90:]})")
                    continue
                out = os.path.join(d, "out.h5")
                try:
                    r = subprocess.run([ARGS.dltsim, "run", path, "-o", out, "-q"], capture_output=True,
                                       text=True, timeout=60)
                except subprocess.TimeoutExpired:
                    check(False, f"{label}: validates, but the run does not finish in 60 s")
                    continue
                runs += 1
                ok = r.returncode == 0 and os.path.exists(out) and not r.stderr
                if ok:
                    with h5py.File(out, "r") as f:
                        ok = f["provenance"].attrs["status"] in (b"complete", "complete")
                    os.remove(out)
                check(ok, f"{label}: validates and runs to completion (exit {r.returncode}) "
                          f"{r.stderr.strip()[-120:]}")
check(runs > 20, f"{runs} runs at extreme values")
done()
