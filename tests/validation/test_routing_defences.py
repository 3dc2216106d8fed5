"""The defences against BGP routing attacks (docs/attacks.md, partition; docs/peers.md, groups),
each against an independent reference.

Partial hijack and route-origin validation. A connection across the cut is captured when the
hijack wins its route (always with a more-specific announcement, with probability `routes` with an
equally-specific one) and its path avoids validating networks (probability 1 - rov), drawn
independently per node pair. Over M cut connections the captured share is a binomial proportion
with mean q = routes (1 - rov) and standard error sqrt(q (1 - q) / M): it must lie within 4 SE of
q for four settings; the defaults capture every connection exactly; routes 0 drops no message.

Detection. With detection_law exponential of mean m the detection times of R runs are i.i.d.
Exp(m) (truncated at the window, P = exp(-window / m) = 6e-6 here): their mean lies within 4
standard errors (m / sqrt(R)) of m. A fixed detection heals exactly as an end at the same time: the
partition_sides table and the chain are byte-identical.

Relay network. Ten miners hold all the hashrate (0.1 each), three of them on side A (p = 0.3), for
T = 6 h at tau = 600 s. Without bridges the orphaned partition blocks average
E[min(N_A, N_B)] = 10.79 (test_partition.py's closed form; within 4 SE over R runs). With the ten
miners as bridges every block reaches every miner over the relay network within a few hundred ms,
so only propagation stales are left: P(stale) <= 1 - exp(-d / tau) with d <= 2 s gives at most
0.12 of the 36 blocks per run; the bound checked is 0.12 per run plus 4 Poisson SE.

AS-diverse peer selection (Bitcoin Core's -asmap). The eclipse attacker holds every node of AS 1
(81 of 1,000 nodes, in about 40 prefixes). With groups: as the attacker is one network group, so:
- with distinct_groups each victim opens at most one outbound connection to it after the restart:
  at most 1 of its 8 outbound slots (share <= 1/8), exactly, for every victim;
- its addresses reach max(1, tried_buckets / 32) = 1 of the 16 "tried" buckets: at most
  bucket_size = 8 tried entries per victim, exactly;
with groups: prefix (the default) its prefixes are separate groups and it takes a share of the
victims' outbound slots above the 1/8 bound and at least twice the share it gets with groups: as.
"""

import math
import os
import statistics
import sys

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()


def run(name, text, *extra):
    path = os.path.join(d, name + ".yaml")
    with open(path, "w") as f:
        f.write(text)
    out = os.path.join(d, name + ".h5")
    dltsim("run", path, "-o", out, "-q", *extra)
    return out


# --- Partial hijack and ROV: the captured share against a binomial proportion.
def capture(params, seed=1):
    text = f"""general: {{seed: {seed}, stop: {{time: "1200 s"}}}}
network: {{preset: bitcoin-2019, nodes: 2000}}
consensus: {{protocol: nakamoto, params: {{block_interval: "600 s"}}, power: {{distribution: equal}}}}
attacks:
  - attack: partition
    nodes: {{power_share: 0.3}}
    start: "60 s"
    end: "1000 s"
    params: {params}
output: {{record: [partition_sides]}}
"""
    return summary(run("capture", text))


s = capture("{}")
check(s["partition_captured_share"] == 1.0 and s["partition_dropped"] > 0,
      f"defaults (more-specific, no ROV): every cut connection captured ({s['partition_cut_connections']:.0f}), "
      f"{s['partition_dropped']:.0f} messages dropped")
for params, q in [("{more_specific: false, routes: 0.6}", 0.6), ("{rov: 0.3}", 0.7),
                  ("{more_specific: false, routes: 0.6, rov: 0.25}", 0.45)]:
    s = capture(params)
    m = s["partition_cut_connections"]
    se = math.sqrt(q * (1 - q) / m)
    got = s["partition_captured_share"]
    check(abs(got - q) <= 4 * se, f"{params}: captured share {got:.4f} against q = {q} (SE {se:.4f}, M = {m:.0f})")
s = capture("{more_specific: false, routes: 0}")
check(s["partition_captured_share"] == 0 and s["partition_dropped"] == 0,
      "routes 0: nothing captured, no message dropped")
path = os.path.join(d, "warn.yaml")
with open(path, "w") as f:
    f.write("""general: {seed: 1, stop: {time: "1200 s"}}
network: {preset: bitcoin-2019, nodes: 200}
consensus: {protocol: nakamoto, power: {distribution: equal}}
attacks:
  - {attack: partition, nodes: {power_share: 0.3}, start: "60 s", end: "1000 s", params: {routes: 0.5}}
""")
r = dltsim("validate", path)
check("attacks[0].params.routes: has no effect unless more_specific is false" in r.stderr,
      f"routes with a more-specific hijack is a located warning: {r.stderr.strip()[:140]}")

# --- Detection.
WINDOW, MEAN, R_DET = 6 * 3600.0, 1800.0, 60


def detection(seed, params, end=3600.0 + WINDOW, record="[partition_sides, blocks]"):
    text = f"""general: {{seed: {seed}, stop: {{time: "{3600 + WINDOW + 1800} s"}}}}
network: {{preset: bitcoin-2019, nodes: 60}}
consensus: {{protocol: nakamoto, params: {{block_interval: "600 s"}}, power: {{distribution: equal}}}}
attacks:
  - attack: partition
    nodes: {{power_share: 0.3}}
    start: "3600 s"
    end: "{end} s"
    params: {params}
output: {{record: {record}}}
"""
    return run(f"detection-{seed}", text)


times = [summary(detection(seed, f"{{detection: \"{MEAN} s\", detection_law: exponential}}"))["partition_detected_s"]
         for seed in range(1, R_DET + 1)]
check(all(not math.isnan(t) and 0 < t < WINDOW for t in times), f"all {R_DET} hijacks detected within the window")
mean, se = statistics.mean(times), MEAN / math.sqrt(R_DET)
check(abs(mean - MEAN) <= 4 * se, f"exponential detection: mean {mean:.0f} s against {MEAN:.0f} s (SE {se:.0f})")
check(statistics.stdev(times) > 0.5 * MEAN, f"the times spread as an exponential law (SD {statistics.stdev(times):.0f} s)")


def tables(path):
    with h5py.File(path, "r") as f:
        return {n: f[n][()].tobytes() for n in ("partition_sides", "blocks")}, summary(path)


detected = tables(detection(7, "{detection: \"2 h\"}"))
ended = tables(detection(7, "{}", end=3600.0 + 7200))
same = detected[0] == ended[0] and all(
    detected[1][k] == ended[1][k] for k in ("partition_orphaned_a", "partition_orphaned_b", "partition_reconverge_s"))
check(same and detected[1]["partition_detected_s"] == 7200 and math.isnan(ended[1]["partition_detected_s"]),
      "a fixed detection after 2 h heals exactly as end at 2 h (same tables and values)")

# --- Relay network among the miners.
P, T, TAU, R = 0.3, 6 * 3600.0, 600.0, 20
SIDE_A = [0, 1, 2] + list(range(10, 70))


def relay(seed, bridges):
    text = f"""general: {{seed: {seed}, stop: {{time: "{3600 + T + 3600} s"}}}}
network: {{preset: bitcoin-2019, nodes: 200}}
consensus:
  protocol: nakamoto
  params: {{block_interval: "{TAU} s"}}
  power: {{distribution: shares, shares: [{", ".join(["0.1"] * 10)}]}}
attacks:
  - attack: partition
    nodes: {{ids: {SIDE_A}}}
    start: "3600 s"
    end: "{3600 + T} s"
    params: {{bridges: {bridges}}}
output: {{record: [partition_sides]}}
"""
    return summary(run(f"relay-{seed}", text))


def poisson_tail(lam, k):
    term = math.exp(-lam) * lam ** k / math.factorial(k)
    total = 0.0
    for i in range(k, k + 400):
        total += term
        term *= lam / (i + 1)
    return total


expected = sum(poisson_tail(P * T / TAU, k) * poisson_tail((1 - P) * T / TAU, k) for k in range(1, 120))
plain = [relay(seed, "none") for seed in range(1, R + 1)]
orphans = [int(s["partition_orphaned_a"] + s["partition_orphaned_b"]) for s in plain]
mean, se = statistics.mean(orphans), statistics.stdev(orphans) / math.sqrt(R)
check(abs(plain[0]["partition_power_share_a"] - P) < 1e-9 and abs(mean - expected) <= 4 * se,
      f"without bridges: orphaned {mean:.2f} +- {se:.2f} against E[min(N_A, N_B)] = {expected:.2f}")
bridged = [relay(seed, "{top_power: 10}") for seed in range(1, R + 1)]
orphans = [int(s["partition_orphaned_a"] + s["partition_orphaned_b"]) for s in bridged]
per_run = (T / TAU) * (1 - math.exp(-2 / TAU))
bound = per_run + 4 * math.sqrt(per_run / R)
check(bridged[0]["partition_bridge_nodes"] == 10 and bridged[0]["partition_bridge_links"] > 0,
      f"10 bridge nodes, {bridged[0]['partition_bridge_links']:.0f} relay links added")
check(statistics.mean(orphans) <= bound,
      f"with the miners bridged: orphaned {statistics.mean(orphans):.2f} per run (bound {bound:.2f}), "
      f"{statistics.mean(s['partition_blocks_a'] + s['partition_blocks_b'] for s in bridged):.1f} blocks")

# --- AS-diverse peer selection against an eclipse attacker in one AS.
BUCKET = 8


def eclipse(seed, groups, distinct):
    text = f"""general: {{seed: {seed}, stop: {{time: "4 h"}}}}
network:
  preset: bitcoin-2019
  nodes: 1000
  peers: {{block_relay_only: 0, anchors: false, groups: {groups}, distinct_groups: {distinct}}}
consensus: {{protocol: nakamoto, params: {{block_interval: "600 s"}}, power: {{distribution: equal}}}}
attacks:
  - attack: eclipse
    nodes: {{ases: [1]}}
    start: "10 min"
    params: {{victims: 30, wait: "3 h", blocks: drop}}
output: {{record: [eclipse]}}
"""
    with h5py.File(run(f"eclipse-{groups}-{seed}", text), "r") as f:
        return f["eclipse"][()]


def shares(rows):
    return rows["outbound_attacker"].sum() / rows["outbound"].sum(), rows["tried_attacker"].sum() / rows["tried_entries"].sum()


for seed in (1, 2, 3):
    by_as = eclipse(seed, "as", "true")
    by_prefix = eclipse(seed, "prefix", "false")
    out_as, tried_as = shares(by_as)
    out_prefix, tried_prefix = shares(by_prefix)
    check(by_as["outbound_attacker"].max() <= 1 and (by_as["outbound"] == 8).all(),
          f"seed {seed}: groups as: at most 1 of 8 outbound slots per victim to the attacker's AS "
          f"(share {out_as:.3f} <= 0.125)")
    check(by_as["tried_attacker"].max() <= BUCKET,
          f"seed {seed}: groups as: at most {BUCKET} tried entries (one bucket) per victim "
          f"(max {by_as['tried_attacker'].max()}, share {tried_as:.3f} against {tried_prefix:.3f} by prefix)")
    check(out_prefix > 0.125 and out_prefix >= 2 * out_as,
          f"seed {seed}: groups prefix: the attacker takes {out_prefix:.3f} of the outbound slots "
          f"(> 1/8 and >= 2 x {out_as:.3f})")
done()
