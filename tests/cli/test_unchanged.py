"""Results do not change unless a change means them to: every shipped scenario without transactions,
run scaled down as in test_scenarios (5 blocks, 200 nodes unless a committee or the idealised
network), gives the same bytes in every table and the same summary values as recorded in
tests/baselines/unchanged.json. The baseline was written by the binary before the transaction layer
(commit 44f62b6) and guards that runs without transactions stay as they were; a change that means to
move results regenerates it with --write and says why in its commit.

    test_unchanged.py --dltsim build/dltsim --scenarios scenarios [--write]"""

import glob
import hashlib
import json
import os
import sys

import h5py
import numpy as np

sys.argv, WRITE = [a for a in sys.argv if a != "--write"], "--write" in sys.argv
from clitest import ARGS, check, dltsim, done, workdir  # noqa: E402

BASELINE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "baselines", "unchanged.json")


def digest(path):
    out = {}
    with h5py.File(path, "r") as f:
        for name, obj in sorted(f.items()):
            if name == "provenance":
                continue
            if isinstance(obj, h5py.Dataset):
                out[f"table {name}"] = hashlib.sha256(np.ascontiguousarray(obj[()]).tobytes()).hexdigest()
        for k, v in sorted(f["summary"].attrs.items()):
            v = v.decode() if isinstance(v, bytes) else v
            out[f"summary {k}"] = repr(v.item() if hasattr(v, "item") else v)
    return out


d = workdir()
results = {}
for path in sorted(glob.glob(os.path.join(ARGS.scenarios, "*.yaml"))):
    with open(path) as f:
        text = f.read()
    if "\ntransactions:" in text:
        continue
    name = os.path.basename(path)
    small = ["--set", "general.stop.blocks=5"]
    if "idealised: true" not in text and "model: complete" not in text:
        small += ["--set", "network.nodes=200"]
    out = os.path.join(d, name + ".h5")
    dltsim("run", path, "-o", out, "-q", *small)
    results[name] = digest(out)

if WRITE:
    with open(BASELINE, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
    print(f"written: {BASELINE}")
    sys.exit(0)
with open(BASELINE) as f:
    baseline = json.load(f)
for name, got in results.items():
    want = baseline.get(name)
    if want is None:
        check(False, f"{name}: not in the baseline (a new scenario: regenerate with --write)")
        continue
    moved = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    check(not moved, f"{name}: unchanged ({len(want)} tables and values)" if not moved else f"{name}: moved {moved[:6]}")
done()
