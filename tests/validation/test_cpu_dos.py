"""CPU denial of service (attack dos, target: cpu) against processor sharing (issue 12).

Two nodes; node 0 mines every block (1 MB, sent whole), node 1 validates each for v = 1 s of CPU
(consensus.params.validation_delay) before accepting it. The attacker floods node 1's CPU with invalid
messages: a Poisson stream, each costing c = 10 ms of CPU, at the rate that takes a share rho of its
CPU. The node's CPU is shared equally by the jobs on it (processor sharing), so by the M/G/1-PS result
the mean response time of a job of size v is v / (1 - rho_total), whatever the law of the other jobs'
sizes; rho_total = rho + v / tau counts the block validations themselves (tau = 600 s).

For rho = 0.5 and 0.8 over 300 blocks: each block's validation time is its arrival delay minus the
same seed's without the attack, plus v (transfers are the same). Its mean must lie within 4 standard
errors (sample SD / sqrt(300); blocks are 600 s apart, far longer than a busy period, so independent)
of v / (1 - rho_total): 2.007 s and 5.042 s.
"""

import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, workdir  # noqa: E402

d = workdir()
V, TAU, BLOCKS = 1.0, 600.0, 300


def delays(load):
    attack = (f'attacks: [{{attack: dos, nodes: {{ids: [1]}}, params: {{target: cpu, cpu_load: {load}, '
              f'invalid_cost: "10 ms"}}}}]') if load else ""
    path = os.path.join(d, "cpu.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: 4, stop: {{blocks: {BLOCKS}}}}}
network: {{nodes: 2, regions: [{{name: X, share: 1, download: "10 Mbit/s", upload: "20 Mbit/s"}}],
          latency: {{uniform: "10 ms"}}, topology: {{outbound: 1}}}}
consensus:
  protocol: nakamoto
  params: {{block_interval: "{TAU} s", block_size: "1 MB", compact_blocks: false, validation_delay: "{V} s"}}
  power: {{distribution: shares, shares: [1.0]}}
{attack}
output: {{record: [arrivals]}}
""")
    out = os.path.join(d, "cpu.h5")
    dltsim("run", path, "-o", out, "-q")
    with h5py.File(out, "r") as f:
        a = f["arrivals"][()]
    a = np.sort(a[a["node"] == 1], order="block")
    return a["delay_s"], a["block"]


base, base_blocks = delays(0)
for rho in (0.5, 0.8):
    got, blocks = delays(rho)
    check(np.array_equal(blocks, base_blocks) and len(blocks) == BLOCKS, f"rho {rho}: the same {BLOCKS} blocks arrive")
    t = got - base + V
    mean, se = t.mean(), t.std(ddof=1) / math.sqrt(len(t))
    expected = V / (1 - rho - V / TAU)
    check(abs(mean - expected) <= 4 * se, f"rho {rho}: validation takes {mean:.3f} s +- {se:.3f} against "
                                          f"v / (1 - rho) = {expected:.3f} s ({(mean - expected) / se:+.2f} SE)")
done()
