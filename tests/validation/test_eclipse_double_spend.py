"""Double spending against eclipsed merchants (Heilman et al. 2015) against the mining process.

300 bitcoin-2019 nodes with equal hashrate and address tables (4 full-relay outbound connections,
no anchors); the attacker holds 30 % of the nodes, so alpha = 0.3 of the hashrate; 30 victims restart
after 1 h of flooding. Once the victims that are eclipsed (the merchants) are back, the attacker's
nodes mine a private branch paying them and feed it to them alone; with k = 6 confirmations the
merchants accept when the branch has 6 blocks, then the attacker drops it and the merchants follow
the honest chain again.

- Time to the 6th private block: the attacker's blocks come as a Poisson process of rate alpha / tau,
  so T ~ Gamma(k, tau / alpha), E[T] = k tau / alpha = 12,000 s, SD = sqrt(k) tau / alpha = 4,899 s.
  Over 40 seeds the mean must lie within 4 standard errors (4,899 / sqrt(40) = 775 s) of 12,000 s.
- Every merchant received the branch with its 6 blocks and ends on the honest chain (payment
  reverted), in every run; at least one run has merchants.
- The branch never reaches the honest network: exactly 6 attacker blocks per run, all of them off
  the main chain (blocks_stale_adversarial = 6).
"""

import math
import os
import statistics
import sys

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, workdir  # noqa: E402

d = workdir()
K, TAU, ALPHA, RUNS = 6, 600.0, 0.3, 40

path = os.path.join(d, "ds.yaml")
with open(path, "w") as f:
    f.write(f"""general: {{seed: 1, stop: {{time: 40 h}}}}
network:
  preset: bitcoin-2019
  nodes: 300
  contention: none
  peers: {{block_relay_only: 0, anchors: false, outbound: 4}}
consensus: {{protocol: nakamoto, power: {{distribution: equal}}}}
attacks:
  - attack: eclipse
    nodes: {{fraction: {ALPHA}}}
    start: 10 min
    params: {{victims: 30, wait: 1 h, confirmations: {K}}}
output: {{record: [eclipse]}}
""")

times, merchants, all_spent, branch_private = [], 0, True, True
for seed in range(1, RUNS + 1):
    out = os.path.join(d, f"ds-{seed}.h5")
    dltsim("run", path, "-o", out, "-q", "--set", f"general.seed={seed}")
    with h5py.File(out, "r") as f:
        s = dict(f["summary"].attrs)
        rows = f["eclipse"][()]
    times.append(float(s["eclipse_confirm_time_s"]))
    m = rows[rows["merchant"] == 1]
    merchants += len(m)
    all_spent &= bool((m["payment_confirmed"] == 1).all() and (m["payment_reverted"] == 1).all())
    branch_private &= s["eclipse_private_blocks"] == K and s["blocks_stale_adversarial"] == K

mean, expected = statistics.mean(times), K * TAU / ALPHA
se = math.sqrt(K) * TAU / ALPHA / math.sqrt(RUNS)
check(abs(mean - expected) <= 4 * se,
      f"time to {K} confirmations: mean {mean:.0f} s over {RUNS} runs against k tau / alpha = {expected:.0f} s "
      f"(SE {se:.0f} s, {(mean - expected) / se:+.2f} SE)")
check(merchants > 0 and all_spent, f"all {merchants} merchants got the {K} blocks and lost the payment")
check(branch_private, f"every run: {K} attacker blocks, all off the main chain")
done()
