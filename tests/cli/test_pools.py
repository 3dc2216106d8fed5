"""Mining pools (consensus.power distribution pools, issue 12): hashrate held by a few pools whose
gateway nodes sit in few ASes and are well connected; the selection top_power picks them.

- bitcoin-2019, 1,000 nodes; pools of 0.3 / 0.2 / 0.2 / 0.1 with 3 gateways each in the 5 largest
  ASes, 40 extra connections per gateway, solo miners share the remaining 0.2: every pool's gateways
  hold exactly its share, all sit in ASes ranked 1-5, and each opened at least 1 + 40 connections;
- the gateways mine their share: over 600 blocks the count mined by gateways lies within 4 binomial
  standard deviations of 0.8 x 600;
- `top_power: 3` is the first pool's 3 gateways: a partition of them holds exactly 0.3 of the
  hashrate (table partition_sides);
- the preset's measured table (bitcoin-2019: the pools of January-June 2019, Milad et al. 2024) when
  `pools` is not given: each pool's gateways hold exactly its share, the pools table names them, and
  the 7.70 % the table leaves out is split equally over the solo miners;
- bad input: pool shares above 1, shares below 1 with others: zero, pool_ases beyond the network's
  ASes or without Internet placement, more gateways than nodes.
"""

import math
import os

import h5py
import numpy as np

from clitest import check, dltsim, done, workdir

d = workdir()
POWER = ("{distribution: pools, pools: [0.3, 0.2, 0.2, 0.1], gateways: 3, pool_ases: 5, gateway_peers: 40, "
         "others: equal}")
# The preset's table, as `dltsim describe bitcoin-2019` prints it (Milad et al. 2024, H1 2019).
PRESET = [("Bitmain", 0.2968), ("F2Pool", 0.1114), ("Poolin", 0.1005), ("SlushPool", 0.0972), ("BTC.TOP", 0.0872),
          ("ViaBTC", 0.0774), ("Huobi Pool", 0.0396), ("BitFury", 0.0379), ("DPOOL", 0.0276), ("BitClub", 0.0243),
          ("Bitcoin.com", 0.0159), ("Bixin", 0.0072)]


def write(name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


path = write("pools.yaml", f"""general: {{seed: 3, stop: {{blocks: 600}}}}
network: {{preset: bitcoin-2019, nodes: 1000, contention: none}}
consensus: {{protocol: nakamoto, power: {POWER}}}
output: {{record: [nodes, blocks]}}
""")
out = os.path.join(d, "pools.h5")
dltsim("run", path, "-o", out, "-q")
with h5py.File(out, "r") as f:
    nodes, blocks = f["nodes"][()], f["blocks"][()]
for pool, share in enumerate([0.3, 0.2, 0.2, 0.1], start=1):
    m = nodes["pool"] == pool
    check(m.sum() == 3 and abs(nodes["power_share"][m].sum() - share) < 1e-12 and (nodes["as_rank"][m] <= 5).all(),
          f"pool {pool}: 3 gateways in ASes {sorted(set(nodes['as_rank'][m]))}, share {nodes['power_share'][m].sum():.4f}")
g = nodes["pool"] > 0
check((nodes["outbound"][g] >= 41).all(), f"every gateway opened its own outbound connections and 40 more "
                                          f"(at least {nodes['outbound'][g].min()})")
mined = np.isin(blocks["miner"], nodes["id"][g]).sum()
n, p = len(blocks), 0.8
check(abs(mined - n * p) <= 4 * math.sqrt(n * p * (1 - p)), f"gateways mined {mined} of {n} blocks (0.8 expected)")

part = write("part.yaml", f"""general: {{seed: 3, stop: {{blocks: 2}}}}
network: {{preset: bitcoin-2019, nodes: 1000, contention: none}}
consensus: {{protocol: nakamoto, power: {POWER}}}
attacks: [{{attack: partition, nodes: {{top_power: 3}}, start: 1 s, end: 2 s}}]
output: {{record: [partition_sides]}}
""")
dltsim("run", part, "-o", out, "-q")
with h5py.File(out, "r") as f:
    sides = f["partition_sides"][()]
check(sides["nodes"][0] == 3 and abs(sides["power_share"][0] - 0.3) < 1e-12,
      f"top_power 3: {sides['nodes'][0]} nodes with {sides['power_share'][0]:.4f} of the hashrate")

measured = write("measured.yaml", """general: {seed: 3, stop: {blocks: 1}}
network: {preset: bitcoin-2019, nodes: 500, contention: none}
consensus: {protocol: nakamoto, power: {distribution: pools, gateways: 2}}
output: {record: [nodes, pools]}
""")
dltsim("run", measured, "-o", out, "-q")
with h5py.File(out, "r") as f:
    nodes, pools = f["nodes"][()], f["pools"][()]
names = [n.decode() for n in pools["name"]]
check(names == [n for n, _ in PRESET] and np.allclose(pools["power_share"], [s for _, s in PRESET], rtol=0, atol=1e-12)
      and (pools["gateways"] == 2).all(), f"preset pools: {list(zip(names, pools['power_share']))}")
for k, (name, share) in enumerate(PRESET, start=1):
    m = nodes["pool"] == k
    check(m.sum() == 2 and abs(nodes["power_share"][m].sum() - share) < 1e-12, f"{name}: 2 gateways, {share}")
solo = nodes["power_share"][nodes["pool"] == 0]
check(len(solo) == 500 - 24 and np.allclose(solo, 0.077 / len(solo), rtol=1e-9, atol=0),
      f"{len(solo)} solo miners share the 7.70 % the table leaves out equally")


def error(power, network="{preset: bitcoin-2019, nodes: 1000}"):
    bad = write("bad.yaml", f"""general: {{stop: {{blocks: 1}}}}
network: {network}
consensus: {{protocol: nakamoto, power: {power}}}
""")
    r = dltsim("validate", bad, check=False)
    return r.returncode, r.stderr.strip()


for power, network, want in [
        ("{distribution: pools, pools: [0.6, 0.5]}", None, "more than 1"),
        ("{distribution: pools, pools: [0.6, 0.3]}", None, "must sum to 1 unless others: equal"),
        ("{distribution: pools, pools: [1.0], pool_ases: 5000}", None, "the network has 1000 ASes"),
        ("{distribution: pools, pools: [1.0], pool_ases: 3}",
         "{nodes: 100, regions: [{name: X, share: 1, download: 1 Mbit/s, upload: 1 Mbit/s}], latency: {uniform: 10 ms}}",
         "Internet placement"),
        ("{distribution: pools, pools: [0.5, 0.5], gateways: 60}", "{preset: bitcoin-2019, nodes: 100}", "gateways"),
        ("{distribution: pools, pools: [1.0], colour: red}", None, "gateway_peers"),
        ("{distribution: pools}",
         "{nodes: 100, regions: [{name: X, share: 1, download: 1 Mbit/s, upload: 1 Mbit/s}], latency: {uniform: 10 ms}}",
         "missing required key 'pools': the network has no measured pool table"),
        ("{distribution: pools, pool_names: [a, b]}", None, "2 names for 12 pools"),
        ("{distribution: pools, others: zero}", None, "must sum to 1 unless others: equal")]:
    code, err = error(power, network or "{preset: bitcoin-2019, nodes: 1000}")
    check(code == 2 and "bad.yaml:3" in err and want in err, f"{power}: {err}")
done()
