"""A hash time-locked swap under time dilation (docs/interconnect.md). The initiator redeems late (10
min before the second lock, 2 h); the responder's node on the second ledger gets every block d late
(the delay attack on all its connections: Riard and Naumenko's eclipse-and-delay), so he learns the
secret at least d after her redeem's block, and must get his redeem into a block of the first ledger
(600 s Poisson blocks) before the first lock (3 h). Given when he sent it, he loses with probability
exp(-(T1 - sent - tau) / 600 s) (memoryless blocks; tau, the relay of his redeem to the miners, is
between 0 and 60 s). The test holds the losses against the sum of those probabilities with 4
standard deviations at d = 0 (no loss beyond that), d = 50 min (some) and d = 75 min (more than the
60 min gap plus her 10 min margin: he learns the secret after the first lock, every swap is lost). Swaps whose redeems wait for the same block
share their fate, so the deviation is cluster-robust: outcomes grouped by the first main-chain block
after the redeem was sent, sum over groups of (losses - expected)^2, and never below the independent
Bernoulli sum.
"""

import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()
T1, T2, MARGIN, BLOCK = 3 * 3600, 2 * 3600, 600, 600


def write(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


# Swap parties hold no hashrate (nodes 0 and 1): they learn from blocks others mine.
ledger = """general: {{seed: 1, stop: {{time: 1 h}}}}
network: {{preset: bitcoin-2019, nodes: 30}}
consensus: {{protocol: nakamoto, params: {{block_interval: {interval} s}},
             power: {{distribution: shares, shares: [0, 0], others: equal}}}}
transactions: {{tx_per_s: 0.05, template_refresh: 0 s, sample_nodes: 1}}
"""
write("first.yaml", ledger.format(interval=BLOCK))
write("second.yaml", ledger.format(interval=60) + """attacks:
  - attack: delay
    nodes: {ids: [1]}
    params: {delay: 50 min}
""")
write("swap.yaml", f"""general: {{seed: 4, stop: {{time: 48 h}}}}
ledgers:
  - {{name: first, scenario: first.yaml}}
  - {{name: second, scenario: second.yaml}}
bridges:
  - name: swap
    mechanism: htlc_swap
    first: first
    second: second
    params: {{swaps_per_hour: 10, first_lock: {T1} s, second_lock: {T2} s, initiator: late, redeem_margin: {MARGIN} s}}
""")

for delay_min in (0, 50, 75):
    out = os.path.join(d, "swap.h5")
    sets = ["--set", f"ledgers.second.attacks[0].params.delay={delay_min} min"]
    if delay_min == 0:
        sets = ["--set", "ledgers.second.attacks[0].enabled=false"]
    dltsim("run", os.path.join(d, "swap.yaml"), "-o", out, "-q", *sets)
    s = summary(out)
    with h5py.File(out, "r") as f:
        t = f["swaps"][()]
        blocks = f["ledgers/first/blocks"][()]
    main_times = np.sort(blocks["time_s"][blocks["on_main_chain"] == 1])
    t = t[t["outcome"] <= 1]  # her redeem counted: his redeem decides
    lost = int((t["outcome"] == 1).sum())
    sent = np.where(np.isnan(t["responder_redeem_sent_s"]), np.inf, t["responder_redeem_sent_s"])
    left = t["start_s"] + T1 - sent

    def expected(tau):
        p = np.exp(-np.clip(left - tau, 0, None) / BLOCK)
        return p.sum(), p * (1 - p)

    low, var_low = expected(0.0)
    high, var_high = expected(60.0)
    p_mid = np.exp(-np.clip(left - 30.0, 0, None) / BLOCK)
    cluster = np.searchsorted(main_times, sent)
    resid = (t["outcome"] == 1) - p_mid
    robust = sum(resid[cluster == c].sum() ** 2 for c in np.unique(cluster))
    sd = math.sqrt(max(var_low.sum(), var_high.sum(), robust))
    dilation = t["responder_learned_s"] - t["initiator_redeem_block_s"]
    print(f"d = {delay_min} min: {len(t)} swaps, {lost} lost; expected {low:.1f} to {high:.1f} (sd {sd:.1f}); "
          f"dilation min {np.nanmin(dilation):.0f} s, median {np.nanmedian(dilation):.0f} s")
    check(len(t) > 300, f"d = {delay_min} min: {len(t)} swaps with a counted initiator redeem")
    check(low - 4 * sd - 1 <= lost <= high + 4 * sd + 1,
          f"d = {delay_min} min: {lost} lost within [{low:.1f}, {high:.1f}] +- 4 x {sd:.1f}")
    if delay_min > 0:
        check(np.nanmin(dilation) >= delay_min * 60 - 1, f"d = {delay_min} min: he learns at least d late")
    if delay_min == 75:
        check(lost == len(t) and s["swap_loss_rate"] == 1, "d above the gap plus her margin: every swap lost")
    if delay_min == 0:
        check(lost <= 3, f"no dilation: {lost} lost")
done()
