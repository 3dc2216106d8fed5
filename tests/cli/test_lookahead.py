"""The runtime's lookahead against the event-by-event reference.

The runtime handles every event up to the transport's lookahead past SimGrid's clock in one SimGrid
round (a flow that completes later is delivered at least the smallest latency later, so it cannot
precede them), instead of one round per event time. DLTSIM_NO_LOOKAHEAD=1 turns that off. The two
must simulate the same thing:

- without flows (contention none, the idealised network, BFT committees whose messages stay below the
  flow threshold) SimGrid computes nothing, so the files must be byte-identical;
- with flows, SimGrid stops at fewer intermediate times, and its lazy max-min bookkeeping rounds the
  remaining bytes of a transfer at each stop: times may move by rounding (observed 5e-11 s), nothing
  else. Every table must have the same rows in the same order, integer columns equal, and times
  within 1e-9 s (the reference runs last 10^4 s, so that is about 10^5 ulps).
"""

import filecmp
import os

import h5py
import numpy as np

from clitest import check, dltsim, done, scenario, workdir

d = workdir()
reference_env = dict(os.environ, DLTSIM_NO_LOOKAHEAD="1")


def both(name, path, sets):
    a, b = os.path.join(d, f"{name}.h5"), os.path.join(d, f"{name}-reference.h5")
    dltsim("run", path, "-o", a, "-q", *sets)
    dltsim("run", path, "-o", b, "-q", *sets, env=reference_env)
    return a, b


for name, path, sets in [
    ("no-contention", scenario("bitcoin-2019.yaml"),
     ["--set", "network.nodes=2000", "--set", "general.stop.blocks=10", "--set", "network.contention=none"]),
    ("idealised", scenario("selfish-mining-idealised.yaml"), ["--set", "general.stop.blocks=20000"]),
    ("tendermint", scenario("bft-equivocation.yaml"), ["--set", "general.stop.time=60 s"]),
]:
    a, b = both(name, path, sets)
    check(filecmp.cmp(a, b, shallow=False), f"{name}: byte-identical with and without the lookahead")


def tables(path):
    with h5py.File(path, "r") as f:
        out = {k: f[k][()] for k in f if isinstance(f[k], h5py.Dataset)}
        summary = dict(f["summary"].attrs)
    return out, summary


for name, path, sets in [
    ("quickstart", scenario("quickstart.yaml"), ["--set", "network.nodes=2000", "--set", "general.stop.blocks=15"]),
    ("selfish-mining", scenario("selfish-mining-bitcoin.yaml"),
     ["--set", "network.nodes=300", "--set", "general.stop.blocks=60"]),
]:
    a, b = both(name, path, sets)
    (ta, sa), (tb, sb) = tables(a), tables(b)
    check(sorted(ta) == sorted(tb), f"{name}: the same tables")
    worst = 0.0
    same = True
    for key in ta:
        x, y = ta[key], tb.get(key)
        if y is None or x.shape != y.shape or x.dtype != y.dtype:
            same = False
            continue
        for col in x.dtype.names or []:
            if x.dtype[col].kind == "f":
                diff = np.abs(x[col] - y[col])
                worst = max(worst, float(np.nanmax(diff)) if diff.size else 0.0)
            elif not np.array_equal(x[col], y[col]):
                same = False
    check(same, f"{name}: every table has the same rows, order and integer columns")
    check(worst <= 1e-9, f"{name}: times within 1e-9 s (largest difference {worst:.2e} s)")
    counts = [k for k, v in sb.items() if isinstance(v, (int, np.integer))]
    check(all(sa[k] == sb[k] for k in counts), f"{name}: every count in the summary is equal ({len(counts)} counts)")
    check(sa["messages"] > 0 and sa["flows"] > 0, f"{name}: the run has flows ({sa['flows']})")
done()
