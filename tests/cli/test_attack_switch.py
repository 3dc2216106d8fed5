"""An attack switched off in place (`enabled: false`): "no attack" is one value of an axis, on the
same seeds. The run equals the scenario without the attack (every table and summary value), the
attack is still checked, other attacks keep their seeds and their summary keys, and the resolved
scenario records the switch."""

import os

import h5py
import numpy as np

from clitest import check, dltsim, done, scenario, workdir

d = workdir()
SMALL = ["--set", "network.nodes=150", "--set", "general.stop.blocks=60"]


def run(path, name, *sets):
    out = os.path.join(d, name + ".h5")
    dltsim("run", path, "-o", out, "-q", *SMALL, *sets)
    return out


def contents(path):
    """Every dataset and attribute but provenance, as {name: value}."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if name.startswith("provenance"):
                return
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
            for k, v in obj.attrs.items():
                out[f"{name}@{k}"] = v
        f.visititems(visit)
    return out


def same(a, b):
    if set(a) != set(b):
        return False
    return all(np.array_equal(np.asarray(a[k]), np.asarray(b[k]), equal_nan=np.asarray(a[k]).dtype.kind == "f")
               for k in a)


sm = scenario("selfish-mining-bitcoin.yaml")
with open(sm) as f:
    text = f.read()
plain = os.path.join(d, "plain.yaml")
with open(plain, "w") as f:  # the same scenario without its attacks section
    f.write(text.split("\nattacks:")[0] + "\noutput:" + text.split("\noutput:")[1])

on = run(sm, "on")
off = run(sm, "off", "--set", "attacks[0].enabled=false")
without = run(plain, "without", "--set", "output.record=[blocks, miners, reorgs, nodes, regions, messages]")
a, b = contents(off), contents(without)
a_main = {k: v for k, v in a.items() if not k.startswith("private_lead")}
check(same(a_main, b), "switched off: every table and summary value as without the attack")
check(not any(k.startswith("summary@selfish_mining") for k in a), "switched off: no summary key of the attack")
check(any(k.startswith("summary@selfish_mining") for k in contents(on)), "switched on: the attack's summary keys")


def resolved(path):
    with h5py.File(path, "r") as f:
        text = f["provenance/resolved_yaml"][()]
    return text.decode() if isinstance(text, bytes) else str(text)


check("enabled: false" in resolved(off), "the resolved scenario records enabled: false")
check("enabled" not in resolved(on), "switched on (the default), the resolved scenario is as before")

# Still checked: a bad parameter of a switched-off attack is an error.
r = dltsim("validate", sm, "--set", "attacks[0].enabled=false", "--set", "attacks[0].params.alpha=2", check=False)
check(r.returncode == 2 and "attacks[0].params.alpha" in r.stderr, f"a switched-off attack is validated: {r.stderr.strip()}")
r = dltsim("validate", sm, "--set", "attacks[0].enabled=maybe", check=False)
check(r.returncode == 2 and "attacks[0].enabled: expected true or false" in r.stderr, f"enabled is a boolean: {r.stderr.strip()}")

# Two attacks of one kind: switching the first off keeps the second's seeds and its summary key names.
two = os.path.join(d, "two.yaml")
with open(two, "w") as f:
    f.write(f"""extends: {os.path.abspath(scenario("quickstart.yaml"))}
attacks:
  - attack: dos
    nodes: {{count: 3}}
    start: "600 s"
    params: {{target: cpu}}
  - attack: dos
    nodes: {{count: 4}}
    start: "1200 s"
    params: {{target: cpu}}
""")
both = contents(run(two, "both"))
first_off = contents(run(two, "first-off", "--set", "attacks[0].enabled=false"))
second = {k: v for k, v in both.items() if k.startswith("summary@dos_1")}
check(second and all(k in first_off for k in second), f"the second attack keeps its keys: {sorted(second)[:3]}")
check(not any(k.startswith("summary@dos_0") for k in first_off), "the switched-off attack has no keys")
done()
