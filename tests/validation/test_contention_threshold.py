"""The transport's shortcut against the all-flows reference (issue 11).

Messages below network.flow_threshold (1 KB: inv, getdata, getblocktxn) are delivered analytically
(serialisation at min(upload, download) plus latency) instead of as SimGrid flows that share
bandwidth. That shortcut is what keeps large runs fast; this test checks that it does not move the
results of the contention model: bitcoin-2019 with every message a SimGrid flow (flow_threshold
0 B, the reference: everything shares bandwidth by max-min) against the default threshold.

Both runs have the same seed, hence the same topology, bandwidths and mining times (common random
numbers): the only difference is the transport of small messages, so the comparison is paired and
has no sampling noise to allow for. The bound is the one issue 11 sets for any speed-up of the
contention model: per-node propagation percentiles p10, p50 and p90 within 2 %. A 60-byte inv
takes 24 us on a 20 Mbit/s link, against the 20-200 ms latencies it rides on, so the expected
difference is well below that (0.1-0.4 % at 5,000 nodes, docs/performance.md). The check can
fail: raising the threshold to 64 KB, which makes compact blocks analytic too, moves p10 by 50 %
at 10,000 nodes (issue 11), and the test also runs that configuration and asserts it is outside
the bound, so a transport that ignored the threshold would be caught.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()
BOUND = 0.02


def run(threshold, nodes=1000, blocks=10):
    path = os.path.join(d, "net.yaml")
    with open(path, "w") as f:
        f.write(f"""general: {{seed: 3, stop: {{blocks: {blocks}}}}}
network: {{preset: bitcoin-2019, nodes: {nodes}, contention: upload_download, flow_threshold: "{threshold}"}}
consensus:
  protocol: nakamoto
  params: {{block_interval: "600 s", block_size: "535 KB", compact_blocks: true}}
output: {{record: []}}
""")
    out = os.path.join(d, f"net-{threshold.replace(' ', '')}.h5")
    dltsim("run", path, "-o", out, "-q")
    return summary(out)


reference = run("0 B")
default = run("1 KB")
coarse = run("64 KB")
check(reference["flows"] == reference["messages"], f"reference: every message is a flow ({reference['flows']})")
check(default["flows"] < default["messages"] / 5,
      f"default: small messages are analytic ({default['flows']} flows of {default['messages']} messages)")
check(default["arrivals"] == reference["arrivals"], "every node receives every block in both")
for q in ("p10", "p50", "p90"):
    key = f"propagation_{q}_s"
    ref, got, far = reference[key], default[key], coarse[key]
    rel = abs(got - ref) / ref
    check(rel <= BOUND, f"{q}: default {got:.4f} s vs all flows {ref:.4f} s: {100 * rel:.2f} % <= 2 %")
    if q == "p10":
        rel_far = abs(far - ref) / ref
        check(rel_far > BOUND, f"{q}: 64 KB threshold {far:.4f} s is {100 * rel_far:.1f} % off (the test can fail)")
done()
