"""`extends: base.yaml`: a scenario built on another (relative to the file that says it), mappings
merged key by key, anything else replaced; errors in a value taken from a base name the base file;
cycles are errors; the run's provenance holds the whole merged scenario; output.path is not inherited."""

import os

import h5py

from clitest import ARGS, check, dltsim, done, workdir

d = workdir()
os.makedirs(os.path.join(d, "sub"))
base = os.path.join(d, "base.yaml")
with open(os.path.join(ARGS.scenarios, "quickstart.yaml")) as f:
    text = f.read()
with open(base, "w") as f:
    f.write(text)


def write(rel, body):
    path = os.path.join(d, rel)
    with open(path, "w") as f:
        f.write(body)
    return path


child = write("sub/child.yaml", "extends: ../base.yaml\ngeneral:\n  stop: {blocks: 3}\nnetwork:\n  nodes: 100\n")
grand = write("sub/grand.yaml", "extends: child.yaml\nconsensus:\n  params: {block_size: \"1 MB\"}\n")
out = os.path.join(d, "grand.h5")
r = dltsim("run", grand, "-o", out, "-q")
with h5py.File(out, "r") as f:
    eff = f["provenance/effective_yaml"][()].decode()
    s = dict(f["summary"].attrs)
check(s["nodes"] == 100 and s["blocks_produced"] == 3, "a grandchild runs with its parent's and grandparent's values")
check("block_size: 1 MB" in eff and "block_interval: 600 s" in eff and "extends" not in eff
      and "preset: bitcoin-2019" in eff, "mappings merge key by key; the provenance holds the merged scenario")
check("quickstart.h5" not in eff, "output.path is not inherited")

cases = [
    (write("sub/bad.yaml", "extends: child.yaml\nnetwork:\n  contention: sometimes\n"),
     "sub/bad.yaml:3:15: network.contention: 'sometimes' is not allowed"),
    (write("badbase.yaml", "general: {stop: {blocks: 3}}\nnetwork: {preset: bitcoin-2019, nodes: 100, colour: blue}\n"
                           "consensus: {protocol: nakamoto}\n"), None),
    (write("sub/usesbad.yaml", "extends: ../badbase.yaml\n"),
     "badbase.yaml:2:45: network.colour: unknown key 'colour'"),
    (write("sub/cycle.yaml", "extends: cycle.yaml\n"), "a cycle"),
    (write("sub/missing.yaml", "extends: nowhere.yaml\n"), "sub/missing.yaml:1:10: extends: cannot read the base scenario"),
    (write("sub/list.yaml", "extends: [a, b]\n"), "extends: expected the path of a base scenario file"),
]
for path, expected in cases:
    if expected is None:
        continue
    r = dltsim("validate", path, check=False)
    check(r.returncode == 2 and expected in r.stderr, f"{os.path.basename(path)}: {r.stderr.strip()[:150]}")
done()
