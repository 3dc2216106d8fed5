"""Measuring a run the way a network monitor measured the real network.

The KIT DSN Bitcoin monitor (dsn.kastel.kit.edu/bitcoin, raw hourly data mirrored in
bitcoin-data/bitcoin-stats-archive, invstat.gpd) kept a connection to about every reachable node and
timed each block from the first announcement (inv) it received until 50 %, 90 % and 99 % of its
peers had announced it. monitor_propagation() computes the same on a run (monitor_tx_propagation() for transactions): a node announces a block
to the monitor when it accepts it (the miner when it makes it), and the announcement takes the
one-way latency from the node's region to the monitor's; the clock starts at the first announcement.
"""

import numpy as np
import pandas as pd

from ._dltsim import yaml_to_python


def _latency_s(result):
    if result.resolved_yaml is None:
        raise ValueError(f"{result.path} has no resolved scenario (an older file): the latencies are unknown")
    net = yaml_to_python(result.resolved_yaml)["network"]
    if net.get("idealised"):
        # Every message takes the same delay: the monitor's clock, started at the first announcement,
        # does not see it.
        return np.zeros((1, 1))
    return np.asarray(net["latency"]["matrix_ms"], dtype=float) / 1000.0


def monitor_propagation(result, monitor_region="EU", quantiles=(0.5, 0.9, 0.99)):
    """Per block, the time from the monitor's first announcement until the given shares of nodes had
    announced it (a DataFrame: block, then one column per quantile, in seconds), as the KIT DSN monitor
    measured it. monitor_region names the region the monitor sits in (KIT: Karlsruhe, "EU").

    Needs the run's arrivals, blocks, nodes and regions tables. Every node counts as a reachable peer of
    the monitor (the bitcoin-2019 preset models the reachable network)."""
    regions = [r.decode() if isinstance(r, bytes) else str(r) for r in result.regions.name]
    if monitor_region not in regions:
        raise ValueError(f"monitor_region {monitor_region!r} is not a region of the run: {', '.join(regions)}")
    to_monitor = _latency_s(result)[:, regions.index(monitor_region)]
    node_region = result.nodes.set_index("id").region
    arrivals = result.arrivals
    arrivals = arrivals[arrivals.late == 0][["block", "node", "time_s"]]
    miners = result.blocks[["id", "miner", "time_s"]].rename(columns={"id": "block", "miner": "node"})
    heard = pd.concat([arrivals, miners], ignore_index=True)
    heard["t"] = heard.time_s.to_numpy() + to_monitor[node_region.reindex(heard.node).to_numpy()]
    rows = []
    for block, g in heard.groupby("block", sort=True):
        d = np.sort(g.t.to_numpy())
        d -= d[0]
        rows.append([block] + [float(d[min(len(d) - 1, int(np.ceil(q * len(d))) - 1)]) for q in quantiles])
    return pd.DataFrame(rows, columns=["block"] + [f"p{round(100 * q)}_s" for q in quantiles])


def monitor_tx_propagation(result, monitor_region="EU", quantiles=(0.5, 0.9, 0.99), seed=0):
    """Per transaction of the run's tx_arrivals sample, the time from the monitor's first announcement
    until the given shares of nodes had announced it (a DataFrame: tx, one column per quantile, in
    seconds), as the KIT DSN monitor measured transactions. The monitor is an inbound peer of every
    node, so a node announces a transaction on its next inbound trickle after receiving it: an
    exponential wait with mean transactions.inbound_interval (Bitcoin Core: 5 s), drawn here with a
    seeded generator (the run does not simulate the monitor's own connections), plus the latency.

    Needs transactions with arrivals_fraction > 0 (table tx_arrivals)."""
    if "tx_arrivals" not in result.tables:
        raise ValueError("the run has no tx_arrivals table: give transactions.arrivals_fraction > 0")
    regions = [r.decode() if isinstance(r, bytes) else str(r) for r in result.regions.name]
    if monitor_region not in regions:
        raise ValueError(f"monitor_region {monitor_region!r} is not a region of the run: {', '.join(regions)}")
    spec = yaml_to_python(result.resolved_yaml)["transactions"]
    interval_s = float(str(spec.get("inbound_interval", "5 s")).split()[0])
    to_monitor = _latency_s(result)[:, regions.index(monitor_region)]
    node_region = result.nodes.set_index("id").region
    a = result.tx_arrivals
    rng = np.random.default_rng(seed)
    t = (a.time_s.to_numpy() + rng.exponential(interval_s, len(a)) +
         to_monitor[node_region.reindex(a.node).to_numpy()])
    heard = pd.DataFrame({"tx": a.tx.to_numpy(), "t": t})
    rows = []
    for tx, g in heard.groupby("tx", sort=True):
        d = np.sort(g.t.to_numpy())
        d -= d[0]
        rows.append([tx] + [float(d[min(len(d) - 1, int(np.ceil(q * len(d))) - 1)]) for q in quantiles])
    return pd.DataFrame(rows, columns=["tx"] + [f"p{round(100 * q)}_s" for q in quantiles])


# The KIT DSN monitor's 2019 figures: medians over 2,641 hourly values sampled across every month of
# 2019 (about 30 % of the year's hours; 25th-75th percentile in brackets), read from invstat.gpd of
# bitcoin-data/bitcoin-stats-archive (columns 11-15: block, 5-9: transaction propagation delays).
KIT_2019 = {
    "block": {"p50_s": 0.464, "p90_s": 2.482, "p99_s": 16.928},
    "block_iqr": {"p50_s": (0.370, 0.556), "p90_s": (1.791, 3.536), "p99_s": (14.537, 19.489)},
    "tx": {"p50_s": 5.087, "p90_s": 15.252, "p99_s": 27.007},
    "tx_iqr": {"p50_s": (4.971, 5.226), "p90_s": (14.624, 15.974), "p99_s": (26.528, 27.452)},
}


__all__ = ["monitor_propagation", "monitor_tx_propagation", "KIT_2019"]
