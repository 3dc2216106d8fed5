"""Regression checks: a collected study against a baseline, point by point and metric by metric.

A value moved when
- both have a standard error: |a - b| / sqrt(se_a^2 + se_b^2) > z, a two-sided test of equal means
  (z defaults to the Bonferroni bound for a family-wise false-alarm rate of 0.001 over every
  comparison made, so a study of K comparisons fails by chance once in 1,000 checks);
- otherwise (one replication, or a value that does not vary between replications): the relative
  difference exceeds rtol (default 1e-9: deterministic values must not change);
- one of them is NaN and the other not, or a point or metric is missing from one side.
"""

import math
from statistics import NormalDist

import numpy as np

from .study_collect import load_study

FAMILY_ALPHA = 0.001


def _canonical(value):
    """An axis value as text that matches however a study file stored it: 500, 500.0 and "500" are
    one value; NaN and "" (a point keeping the base value) are one."""
    if isinstance(value, bytes):
        value = value.decode()
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return ""
    return str(int(number)) if number.is_integer() and abs(number) < 2 ** 63 else repr(number)


def _point_index(study):
    """{axis values (canonical text): point}, so that points match by what they are, not by position."""
    wide = study.points.drop_duplicates("point")
    out = {}
    for _, row in wide.iterrows():
        out[tuple(_canonical(row[k]) for k in study.axis_keys)] = int(row["point"])
    return out


def compare(study_path, baseline_path, z=None, rtol=1e-9, metrics=None):
    """Returns (rows, z used); each row: point values, metric, baseline, current, their ses, the
    statistic and whether it moved."""
    cur, base = load_study(study_path), load_study(baseline_path)
    if cur.axis_keys != base.axis_keys:
        raise ValueError(f"axes differ: study {cur.axis_keys}, baseline {base.axis_keys}")
    ci, bi = _point_index(cur), _point_index(base)
    names = metrics or sorted(set(base.metrics) | set(cur.metrics), key=lambda m: (m not in base.metrics, m))
    keys = list(dict.fromkeys(list(bi) + list(ci)))
    comparisons = len(keys) * len(names)
    if z is None:
        z = NormalDist().inv_cdf(1 - FAMILY_ALPHA / 2 / max(comparisons, 1))
    cp = cur.points.set_index(["point", "metric"])
    bp = base.points.set_index(["point", "metric"])
    rows = []
    for key in keys:
        for m in names:
            row = {"point": dict(zip(cur.axis_keys, key)), "metric": m}
            if key not in ci or key not in bi:
                row.update(moved=True, why="point missing from the " + ("study" if key not in ci else "baseline"))
                rows.append(row)
                continue
            a = cp.loc[(ci[key], m)] if (ci[key], m) in cp.index else None
            b = bp.loc[(bi[key], m)] if (bi[key], m) in bp.index else None
            if a is None or b is None:
                row.update(moved=True, why="metric missing from the " + ("study" if a is None else "baseline"))
                rows.append(row)
                continue
            row.update(baseline=b["mean"], current=a["mean"], se_baseline=b["se"], se_current=a["se"])
            va, vb = a["mean"], b["mean"]
            if math.isnan(va) or math.isnan(vb):
                moved = math.isnan(va) != math.isnan(vb)
                row.update(moved=moved, why="NaN on one side" if moved else "NaN on both sides")
            elif np.isfinite(a["se"]) and np.isfinite(b["se"]) and (a["se"] > 0 or b["se"] > 0):
                stat = abs(va - vb) / math.sqrt(a["se"] ** 2 + b["se"] ** 2)
                row.update(statistic=stat, moved=stat > z, why=f"|difference| / combined SE = {stat:.2f} (limit {z:.2f})")
            else:
                scale = max(abs(va), abs(vb))
                rel = abs(va - vb) / scale if scale > 0 else 0.0
                row.update(statistic=rel, moved=rel > rtol, why=f"relative difference {rel:.3g} (limit {rtol:g})")
            rows.append(row)
    return rows, z


def format_table(rows, only_moved=True):
    lines = []
    shown = [r for r in rows if r["moved"] or not only_moved]
    if not shown:
        return lines
    lines.append(f"{'point':40} {'metric':34} {'baseline':>14} {'current':>14}  why")
    for r in shown:
        point = ", ".join(f"{k}={v}" for k, v in r["point"].items()) or "-"
        fmt = lambda v: "-" if v is None else f"{v:.6g}"  # noqa: E731
        lines.append(f"{point[:40]:40} {r['metric'][:34]:34} {fmt(r.get('baseline')):>14} "
                     f"{fmt(r.get('current')):>14}  {'MOVED: ' if r['moved'] else ''}{r['why']}")
    return lines
