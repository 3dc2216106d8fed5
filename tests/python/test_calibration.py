"""dltsim.calibration measures a run as the KIT DSN monitor measured the network.

In the idealised network with a fixed delay d every node accepts a block exactly d after the miner
made it, and the monitor sits in the only region with no latency: it hears the miner at 0 and all
others at d, so every share from 50 % up is reached at d exactly. With transactions the monitor
adds each node's inbound trickle (mean 5 s): the first announcement is at 0 and the shares grow."""

import math

import numpy as np

import dltsim
from dltsim.calibration import KIT_2019, monitor_propagation, monitor_tx_propagation

D = 0.7


def idealised(transactions=None):
    s = {"general": {"seed": 2, "stop": {"blocks": 6}},
         "network": {"idealised": True, "nodes": 40, "delay": f"{D} s"},
         "consensus": {"protocol": "nakamoto", "params": {"block_interval": "60 s"}}}
    if transactions:
        s["transactions"] = transactions
    return s


def test_blocks_are_timed_from_the_first_announcement():
    with dltsim.run(idealised(), progress=False) as r:
        m = monitor_propagation(r, monitor_region="ideal")
        blocks = len(r.blocks)
    assert len(m) == blocks == 6
    for q in ("p50_s", "p90_s", "p99_s"):
        assert np.allclose(m[q], D), m


def test_transactions_include_the_trickle_to_the_monitor():
    tx = {"tx_per_s": 0.5, "arrivals_fraction": 1, "size_law": "fixed", "fee_law": "fixed", "sample_nodes": 0}
    with dltsim.run(idealised(tx), progress=False) as r:
        t = monitor_tx_propagation(r, monitor_region="ideal", seed=3)
        again = monitor_tx_propagation(r, monitor_region="ideal", seed=3)
        n = r.summary["transactions_created"]
    assert len(t) == n > 50
    assert t.equals(again)  # seeded: the same figures every time
    assert (t.p50_s <= t.p90_s).all() and (t.p90_s <= t.p99_s).all() and (t.p50_s > 0).all()


def test_bad_region_and_missing_table_are_errors():
    with dltsim.run(idealised(), progress=False) as r:
        for call in (lambda: monitor_propagation(r, monitor_region="Mars"), lambda: monitor_tx_propagation(r)):
            try:
                call()
            except ValueError as e:
                assert "Mars" in str(e) or "tx_arrivals" in str(e)
            else:
                raise AssertionError("expected a ValueError")


def test_kit_figures_are_ordered():
    for kind in ("block", "tx"):
        v = KIT_2019[kind]
        assert v["p50_s"] < v["p90_s"] < v["p99_s"]
        for q, (lo, hi) in KIT_2019[kind + "_iqr"].items():
            assert lo <= v[q] <= hi and not math.isnan(lo)
