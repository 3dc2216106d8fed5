"""Internet placement (issue 12): every node of a preset with a placement belongs to an AS and a
prefix, as concentrated as the measurement the preset cites, and attacks select nodes by them.

- bitcoin-2019 on 10,000 nodes: the 13 largest ASes hold 30 % of the nodes (Apostolaki et al. 2017;
  the AS sizes are apportioned exactly, so within 0.5 %), the 100 most populated prefixes about 20 %
  (within 18-21 %: an AS's prefixes hold at most 0.2 % each, so the top 100 hold a little less);
- `describe` says where the figures come from and what is synthetic;
- the placement has its own random stream: the regions and the peer graph are those of a network
  without placement (the nodes table of an idealised-free run with `internet` overridden matches);
- selections `top_ases`, `ases`, `top_prefixes` pick exactly the nodes the nodes table says;
- bad input: an AS rank the network does not have, an empty list, a selection by AS on a network
  without placement, a key `internet` does not know.
"""

import os

import h5py
import numpy as np

from clitest import check, dltsim, done, scenario, workdir

d = workdir()


def nodes_table(sets, attack=""):
    path = os.path.join(d, "net.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: 5, stop: {{blocks: 1}}}}
network: {{preset: bitcoin-2019, nodes: 10000}}
consensus: {{protocol: nakamoto, params: {{block_interval: "600 s"}}}}
{attack}
output: {{record: [nodes{", partition_sides" if attack else ""}]}}
""")
    out = os.path.join(d, "net.h5")
    dltsim("run", path, "-o", out, "-q", *sets)
    with h5py.File(out, "r") as f:
        nodes = f["nodes"][()]
        sides = f["partition_sides"][()] if "partition_sides" in f else None
    return nodes, sides


nodes, _ = nodes_table([])
n = len(nodes)
check(nodes["as_rank"].min() == 1 and nodes["as_rank"].max() <= 1000, "AS ranks in 1..1000")
top13 = np.isin(nodes["as_rank"], np.arange(1, 14)).sum() / n
check(abs(top13 - 0.30) <= 0.005, f"the 13 largest ASes hold {100 * top13:.2f} % of the nodes (30 %)")
prefix_sizes = np.sort(np.bincount(nodes["prefix"]))[::-1]
top100 = prefix_sizes[:100].sum() / n
check(0.18 <= top100 <= 0.21, f"the 100 most populated prefixes hold {100 * top100:.1f} % (about 20 %)")
per_as = {}
for a, p in zip(nodes["as_rank"], nodes["prefix"]):
    per_as.setdefault(p, set()).add(a)
check(all(len(v) == 1 for v in per_as.values()), "every prefix belongs to one AS")

text = dltsim("describe", "bitcoin-2019").stdout
check("Internet placement: 1000 ASes" in text and "Apostolaki" in text and "synthetic" in text,
      "describe gives the placement, its source and what is synthetic")

# The placement leaves regions and the peer graph untouched (its own random stream).
other, _ = nodes_table(["--set", "network.internet.as_exponent=2"])
check(np.array_equal(other["region"], nodes["region"]) and np.array_equal(other["degree"], nodes["degree"]),
      "another placement: same regions and peer degrees")
check(not np.array_equal(other["as_rank"], nodes["as_rank"]), "another placement: other AS sizes")

for selector, want in [("{top_ases: 13}", nodes["as_rank"] <= 13),
                       ("{ases: [2, 7]}", np.isin(nodes["as_rank"], [2, 7])),
                       ("{top_prefixes: 100}", np.isin(nodes["prefix"],
                                                      np.argsort(-np.bincount(nodes["prefix"]), kind="stable")[:100]))]:
    _, sides = nodes_table([], f"attacks: [{{attack: partition, nodes: {selector}, start: '1 s', end: '2 s'}}]")
    check(sides is not None and sides["nodes"][0] == want.sum(),
          f"partition side A {selector}: {sides['nodes'][0] if sides is not None else '-'} nodes, as the table says ({want.sum()})")


def error_of(network, nodes_yaml):
    path = os.path.join(d, "bad.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{stop: {{blocks: 1}}}}
network: {network}
consensus: {{protocol: nakamoto}}
attacks:
  - attack: partition
    nodes: {nodes_yaml}
""")
    r = dltsim("validate", path, check=False)
    return r.returncode, r.stderr.strip()


code, err = error_of("{preset: bitcoin-2019, nodes: 100}", "{ases: [1001]}")
check(code != 0 and "bad.yaml:6" in err and "[1, 1000]" in err, f"unknown AS: {err}")
code, err = error_of("{preset: bitcoin-2019, nodes: 100}", "{ases: []}")
check(code != 0 and "at least one AS" in err, f"empty AS list: {err}")
code, err = error_of("{nodes: 100, regions: [{name: X, share: 1, download: '1 Mbit/s', upload: '1 Mbit/s'}], "
                     "latency: {matrix_ms: [[10]]}}", "{top_ases: 3}")
check(code != 0 and "Internet placement" in err, f"AS selection without placement: {err}")
code, err = error_of("{preset: bitcoin-2019, nodes: 100, internet: {ases: 10, colour: 1}}", "{top_ases: 3}")
check(code != 0 and "colour" in err and "as_exponent" in err, f"unknown internet key: {err}")
done()
