"""Attacks on transactions against closed forms and controls.

1. Censorship by a pool of hashrate share a = 0.3 (3 of 10 equal miners): every block has room and
   relay is quick next to the 600 s blocks, so a victim's transaction waits for the first block the
   pool did not mine: a geometric number of main-chain blocks, P(k) = a^(k-1) (1 - a), mean 1 / (1 - a),
   while everyone else's waits one block. Tolerance: 4 batch-means standard errors (50 batches in
   creation order: transactions waiting for the same block share their delay).
2. Mempool flooding, 3 spam transactions/s for 10,000 s against 0.5 honest ones/s and blocks of 100
   transactions a minute (the spam alone is 1.8 times the capacity):
   - spam paying more (20 sat/vB against 10) starves the honest users: under 2 % of the honest
     transactions created during the flood are confirmed before it ends, against all but the last
     block's worth in the control run (same seed, the attack switched off);
   - spam paying less (5 sat/vB) leaves their delays as in the control: the difference of the mean
     confirmation delays of the honest transactions created during the flood is within 4 standard
     errors of a difference (batch means, each run).
3. Zero-confirmation double spend (Karame et al. 2012) on a 200-node 2019 network, 40 attempts per run:
   under full-RBF a conflicting spend paying twice the fee replaces the payment everywhere, so a
   merchant that accepts at once loses nearly always (Wilson interval above 0.8); listening for 30 s
   catches every conflict (no success); under first-seen the network splits and some payments are
   confirmed; a merchant listening 3 s with 40 more peers catches more conflicts and loses less
   (Karame et al.'s countermeasures).
"""

import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()


def write(name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def batch_se(series, batches=50):
    means = [x.mean() for x in np.array_split(np.asarray(series, dtype=float), batches)]
    return float(np.std(means, ddof=1) / np.sqrt(batches))


# 1. Censorship
cen = write("censorship.yaml", """
general: {seed: 9, stop: {blocks: 20000}}
network: {idealised: true, nodes: 10}
consensus: {protocol: nakamoto, params: {block_interval: 600 s}}
transactions:
  tx_per_s: 0.02
  size_law: fixed
  fee_law: fixed
  template_refresh: 0 s
  inbound_interval: 10 ms
  outbound_interval: 10 ms
  nonpreferred_delay: 0 s
  sample_nodes: 0
attacks:
  - attack: censorship
    nodes: {ids: [0, 1, 2]}
    params: {victim: 9}
output: {record: [transactions, blocks]}
""")
out = os.path.join(d, "censorship.h5")
dltsim("run", cen, "-o", out, "-q")
with h5py.File(out, "r") as f:
    t, b = f["transactions"][:], f["blocks"][:]
s = summary(out)
main = np.sort(b["time_s"][b["on_main_chain"] == 1])


def blocks_waited(rows):
    rows = rows[np.argsort(rows["created_s"], kind="stable")]
    return (np.searchsorted(main, rows["included_s"], side="right") -
            np.searchsorted(main, rows["created_s"], side="right"))


a = 0.3
victim = blocks_waited(t[t["origin"] == 9])
others = blocks_waited(t[t["origin"] != 9])
se = batch_se(victim)
check(len(victim) > 20000 and not np.isnan(t["included_s"]).any(), f"{len(victim)} victim transactions, all confirmed")
check(abs(victim.mean() - 1 / (1 - a)) <= 4 * se,
      f"victim waits {victim.mean():.4f} +- {se:.4f} blocks vs 1 / (1 - a) = {1 / (1 - a):.4f}")
for k in (1, 2, 3):
    p = (victim == k).astype(float)
    se_k = batch_se(p)
    check(abs(p.mean() - a ** (k - 1) * (1 - a)) <= 4 * se_k,
          f"P(victim waits {k} blocks) {p.mean():.4f} +- {se_k:.4f} vs a^{k - 1} (1 - a) = {a ** (k - 1) * (1 - a):.4f}")
check(others.mean() == 1.0, f"everyone else waits one block ({others.mean():.4f})")
check(abs(s["censorship_victim_delay_blocks_mean"] - victim.mean()) < 1e-9
      and abs(s["censorship_theory_delay_blocks"] - 1 / (1 - a)) < 1e-12, "the summary reports the same and the theory")

# 2. Flooding
spam = write("spam.yaml", """
general: {seed: 12, stop: {time: 40000 s}}
network: {idealised: true, nodes: 10}
consensus: {protocol: nakamoto, params: {block_interval: 60 s}}
transactions:
  tx_per_s: 0.5
  size_law: fixed
  fee_law: fixed
  fee_rate_sat_vb: 10
  block_capacity: 25000 B
  template_refresh: 0 s
  sample_nodes: 0
attacks:
  - attack: mempool_flooding
    nodes: {ids: [0]}
    start: 5000 s
    end: 15000 s
    params: {tx_per_s: 3, fee_rate_sat_vb: 20}
output: {record: [transactions]}
""")
START, END = 5000, 15000


def honest_during(fee, enabled):
    out = os.path.join(d, f"spam-{fee}-{enabled}.h5")
    dltsim("run", spam, "-o", out, "-q", "--set", f"attacks[0].params.fee_rate_sat_vb={fee}",
           "--set", f"attacks[0].enabled={'true' if enabled else 'false'}")
    with h5py.File(out, "r") as f:
        t = f["transactions"][:]
    # The honest wallets' transactions are the same in both runs (their random streams are their own);
    # the spam comes from node 0 at the spam's fee rate.
    honest = t[~((t["origin"] == 0) & (t["fee_rate_sat_vb"] == fee) & (t["created_s"] >= START))] if enabled else t
    rows = honest[(honest["created_s"] >= START) & (honest["created_s"] < END)]
    return rows[np.argsort(rows["created_s"], kind="stable")]


control = honest_during(20, False)
high = honest_during(20, True)
check(len(high) == len(control) and len(high) > 4000, f"{len(high)} honest transactions created during the flood")
early = lambda rows: float((rows["included_s"] < END).mean())  # noqa: E731
check(early(high) < 0.02 and early(control) > 0.97,
      f"spam paying more starves them: {100 * early(high):.2f} % confirmed during the flood "
      f"(control {100 * early(control):.1f} %)")
low = honest_during(5, True)
dl, dc = low["confirmation_delay_s"], control["confirmation_delay_s"]
se = np.hypot(batch_se(dl), batch_se(dc))
check(abs(dl.mean() - dc.mean()) <= 4 * se,
      f"spam paying less leaves them alone: {dl.mean():.2f} s vs control {dc.mean():.2f} s (SE of the difference {se:.2f})")

# 3. Zero-confirmation double spend
zc = write("zero-conf.yaml", """
general: {seed: 4, stop: {time: 8 h}}
network: {preset: bitcoin-2019, nodes: 200}
consensus: {protocol: nakamoto}
transactions: {tx_per_s: 0.2}
attacks:
  - attack: zero_conf_double_spend
    nodes: {ids: [7]}
    start: 10 min
    end: 7 h
    params: {merchant: 3, attempts: 40, interval: 10 min}
output: {record: [transactions, zero_conf_attempts]}
""")


def zero_conf(replace, wait, merchant_peers=0):
    out = os.path.join(d, f"zc-{replace}-{wait}.h5")
    dltsim("run", zc, "-o", out, "-q", "--set", f"transactions.replace={replace}",
           "--set", f"attacks[0].params.merchant_wait={wait}",
           "--set", f"attacks[0].params.merchant_peers={merchant_peers}")
    return {k.removeprefix("zero_conf_double_spend_"): v for k, v in summary(out).items()
            if k.startswith("zero_conf_double_spend_")}


z = zero_conf("full_rbf", "0 s")
check(z["decided"] == 40 and z["success_ci_low"] > 0.8,
      f"full-RBF, merchant accepting at once: success {z['success_rate']:.3f} [{z['success_ci_low']:.3f}, "
      f"{z['success_ci_high']:.3f}]")
z = zero_conf("full_rbf", "30 s")
check(z["detected_share"] == 1 and z["successes"] == 0, f"full-RBF, merchant listening 30 s: detects {z['detected_share']}")
z = zero_conf("first_seen", "0 s")
check(0 < z["payments_confirmed"] < 40 and 0 < z["successes"] < 40,
      f"first-seen: the network splits ({z['payments_confirmed']} payments confirmed, success {z['success_rate']:.3f})")
few, many = zero_conf("first_seen", "3 s"), zero_conf("first_seen", "3 s", merchant_peers=40)
check(many["detected_share"] > few["detected_share"] and many["successes"] < few["successes"],
      f"first-seen, listening 3 s: 40 more peers catch more conflicts ({few['detected_share']:.3f} -> "
      f"{many['detected_share']:.3f}) and lose less ({few['successes']} -> {many['successes']} of 40)")
done()
