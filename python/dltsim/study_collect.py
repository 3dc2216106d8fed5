"""Collecting a study's runs into one HDF5 file (runs, points and metrics tables), and reading it
back as pandas DataFrames (and an xarray Dataset over the axes of a grid).

study.h5 holds what the scenarios and seeds determine and nothing else, so that the same study gives
the same bytes however it was run: locally, on Dask or SLURM, interrupted and resumed. Wall times,
hosts and causes of failure go to timings.csv beside it.
"""

import csv
import json
import math
import os

import h5py
import numpy as np
import pandas as pd

from . import _dltsim
from .study_run import run_paths, run_state

STUDY_SCHEMA = "dltsim-study-2"
READABLE_SCHEMAS = ("dltsim-study-1", STUDY_SCHEMA)
CONFIDENCE = 0.95
_Z95 = 1.959963984540054  # two-sided 95 % quantile of the standard normal (Wilson's interval)

# Intervals of the mean over replications, by what the metric's values can be (docs/studies.md).
INTERVAL_DOCS = {
    "student-t": "Student t on the replications' values",
    "student-t within [0, inf)": "Student t, intersected with [0, inf): a count or a quantity with a unit",
    "student-t within [0, 1]": "Student t, intersected with [0, 1]: a proportion",
    "wilson": "Wilson score interval: every replication gave 0 or 1 (a proportion of replications)",
    "none": "one replication, or none: no interval",
}


def _axis_column(values):
    """An axis as a column: integers when every value is one, numbers (NaN where a point keeps the
    base value) when every value is a number, else text (mappings and lists as JSON)."""
    given = [v for v in values if v is not None]
    numeric = given and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in given)
    if numeric and len(given) == len(values) and all(isinstance(v, int) for v in given):
        return np.array(values, dtype=np.int64)
    if numeric:
        return np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    return np.array(["" if v is None else (json.dumps(v) if isinstance(v, (list, dict, bool)) else str(v))
                     for v in values], dtype=object)


def _t_quantile(p, dof):
    return _dltsim.student_t_quantile(p, dof)  # Boost.Math: no scipy import in the study path


def point_statistics(values, support="real"):
    """(mean, standard error, interval low, interval high, count, interval method) of the finite
    values, the 95 % interval respecting the support: Wilson's when every value is 0 or 1 of a
    proportion, Student t otherwise, intersected with [0, inf) or [0, 1] as the support says."""
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=np.float64)
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan, 0, "none"
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, math.nan, math.nan, 1, "none"
    se = float(x.std(ddof=1) / math.sqrt(n))
    if support == "proportion" and np.all((x == 0) | (x == 1)):
        z2 = _Z95 ** 2
        centre = (mean + z2 / (2 * n)) / (1 + z2 / n)
        half = _Z95 / (1 + z2 / n) * math.sqrt(mean * (1 - mean) / n + z2 / (4 * n * n))
        return mean, se, max(0.0, centre - half), min(1.0, centre + half), n, "wilson"
    half = _t_quantile(0.5 + CONFIDENCE / 2, n - 1) * se
    lo, hi = mean - half, mean + half
    if support == "non-negative":
        return mean, se, max(lo, 0.0), hi, n, "student-t within [0, inf)"
    if support == "proportion":
        return mean, se, max(lo, 0.0), min(hi, 1.0), n, "student-t within [0, 1]"
    return mean, se, lo, hi, n, "student-t"


def _docs_of(study, records, metrics):
    """{metric: doc}: docs are not in the status files, so read from result files, one per metric
    at most (a study mixing scenarios has keys that only some runs report)."""
    docs, opened = {}, set()
    for m in metrics:
        if m in docs:
            continue
        rec = next((r for r in records if r["state"] == "ok" and m in r["summary"] and r["key"] not in opened), None)
        if rec is None:
            continue
        opened.add(rec["key"])
        try:
            with h5py.File(run_paths(study.runs_dir, rec["key"])[0], "r") as f:
                attrs = f["summary"].attrs
                for k, v in attrs.items():
                    if k.endswith(".doc"):
                        docs.setdefault(k[:-4], v.decode() if isinstance(v, bytes) else str(v))
        except (OSError, KeyError):
            continue
    return docs


def collect(study, out=None):
    """Reads every run of the study (done or not) and writes the study file atomically; returns
    (path, runs DataFrame, points DataFrame, problems). problems: lines naming what could not be
    collected and why (a file that is not the run's result, a run that died, a metric no run has).
    Never raises for a bad run file."""
    out = out or study.study_file
    records, metric_order, problems = [], {}, []
    for run in study.runs:
        try:
            state, detail, status = run_state(study.runs_dir, run.key, run.effective_yaml)
        except Exception as e:  # noqa: BLE001 - an unreadable run is reported, never fatal
            state, detail, status = "invalid", f"{run.key}.h5: unreadable ({type(e).__name__}: {e})", None
        summary = (status or {}).get("summary", {}) if state == "ok" else {}
        summary = {k: v for k, v in summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        records.append({"key": run.key, "state": state, "detail": detail, "status": status or {},
                        "summary": summary})
        if state == "invalid":
            problems.append(f"runs/{detail}: not collected; `dltsim study run` sets it aside and runs it again")
        elif state == "lost":
            problems.append(f"runs/{run.key}: {detail}; `dltsim study run` runs it again")
        for k in summary:
            metric_order.setdefault(k, None)
    declared = study.metrics if study.metrics else list(metric_order)
    derived = {d.name: d for d in study.derived}
    metrics = [m for m in declared if m not in derived] + list(derived)
    ok_records = [r for r in records if r["state"] == "ok"]
    if ok_records:
        for m in declared:
            if m not in metric_order:
                problems.append(f"metric {m!r} is in no run's summary (a typo? `dltsim run --json` lists the keys)")
        for d in study.derived:
            for k in d.keys:
                if k not in metric_order:
                    problems.append(f"derived {d.name}: {k!r} is in no run's summary: NaN")

    def value(rec, m):
        if m in derived:
            return derived[m].value(rec["summary"]) if rec["state"] == "ok" else math.nan
        return float(rec["summary"].get(m, math.nan))

    labels = study.labels
    runs = pd.DataFrame({
        "point": [r.point for r in study.runs],
        "label": [labels[r.point] for r in study.runs],
        "replication": [r.replication for r in study.runs],
        "seed": np.array([r.seed for r in study.runs], dtype=np.uint64)})
    for k in study.axis_keys:
        runs[k] = _axis_column([study.points[r.point][k] for r in study.runs])
    runs["status"] = [rec["state"] for rec in records]
    runs["key"] = [r.key for r in study.runs]
    runs["path"] = [os.path.relpath(run_paths(study.runs_dir, r.key)[0], study.output_dir) for r in study.runs]
    for m in metrics:
        runs[m] = np.array([value(rec, m) for rec in records], dtype=np.float64)

    info = _metric_info(study, metrics, derived, records, runs)
    prow = []
    for i in range(len(study.points)):
        sel = runs[(runs.point == i) & (runs.status == "ok")]
        for m in metrics:
            mean, se, lo, hi, n, method = point_statistics(sel[m].tolist(), info[m]["support"])
            prow.append({"point": i, "label": labels[i], "metric": m, "mean": mean, "se": se, "ci95_low": lo,
                         "ci95_high": hi, "interval": method, "count": n})
    points = pd.DataFrame(prow, columns=["point", "label", "metric", "mean", "se", "ci95_low", "ci95_high",
                                         "interval", "count"])
    for j, k in enumerate(study.axis_keys):
        points.insert(2 + j, k, _axis_column([study.points[i][k] for i in points.point]) if len(points) else [])
    metrics_table = pd.DataFrame({
        "metric": metrics, "unit": [info[m]["unit"] for m in metrics],
        "support": [info[m]["support"] for m in metrics],
        "constant": np.array([info[m]["constant"] for m in metrics], dtype=np.uint8),
        "derived": [derived[m].expr if m in derived else "" for m in metrics],
        "doc": [info[m]["doc"] for m in metrics]})
    _write(out, study, runs, points, metrics_table, metrics)
    _write_timings(os.path.join(os.path.dirname(os.path.abspath(out)), "timings.csv"), study, records)
    return out, runs, points, problems


def _metric_info(study, metrics, derived, records, runs):
    """unit, support, doc and whether every finished run gave the same value, per metric."""
    docs = _docs_of(study, records, [m for m in metrics if m not in derived])
    info = {}
    ok = runs[runs.status == "ok"]
    for m in metrics:
        if m in derived:
            d = derived[m]
            unit, support, doc = d.unit, d.support, d.doc
        else:
            unit = next((r["status"].get("units", {}).get(m) for r in records
                         if r["state"] == "ok" and m in r["status"].get("units", {})), "") or ""
            support = next((r["status"].get("supports", {}).get(m) for r in records
                            if r["state"] == "ok" and m in r["status"].get("supports", {})), "real") or "real"
            doc = docs.get(m, "")
        finite = ok[m][np.isfinite(ok[m])] if len(ok) else ok[m]
        constant = len(finite) > 1 and bool((finite == finite.iloc[0]).all())
        info[m] = {"unit": unit, "support": support, "doc": doc, "constant": constant}
    return info


def _write_timings(path, study, records):
    """Wall time, host and cause per run: what varies between executions, kept out of study.h5."""
    tmp = f"{path}.{os.getpid()}.partial"
    try:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["point", "replication", "key", "status", "wall_s", "host", "executor", "cause"])
            for run, rec in zip(study.runs, records):
                st = rec["status"]
                w.writerow([run.point, run.replication, run.key, rec["state"], st.get("wall_s", ""),
                            st.get("host", ""), st.get("executor", ""),
                            "" if rec["state"] == "ok" else rec["detail"]])
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


_RUN_DOCS = {"point": "index of the point", "label": "the point's short name",
             "replication": "replication index (0-based) at its point",
             "seed": "the run's seed (derived from the study seed and the replication)",
             "status": "ok, failed, timeout, interrupted, lost (its process died), running, invalid (a file "
                       "that is not its result) or missing",
             "key": "hash of the effective scenario, seed and dltsim version",
             "path": "the run's result file, relative to the study file"}
_POINT_DOCS = {"point": "index of the point", "label": "the point's short name", "metric": "summary key",
               "mean": "mean over the replications that finished",
               "se": "standard error of the mean (sample standard deviation / sqrt(count))",
               "ci95_low": "95 % interval of the mean (method in interval): low end", "ci95_high": "upper end of it",
               "interval": "how the interval was computed: " + "; ".join(f"{k}: {v}" for k, v in INTERVAL_DOCS.items()),
               "count": "replications with a finite value"}
_METRIC_DOCS = {"metric": "summary key (or derived metric)", "unit": "its unit ('' for plain numbers)",
                "support": "the values it can take: real, non-negative or proportion (its intervals respect it)",
                "constant": "1 if every finished run gave the same value", "derived": "the expression of a derived metric",
                "doc": "what it is"}


def _text(value):
    """A string attribute of fixed length (variable-length ones live in the global heap)."""
    return np.bytes_(str(value).encode())


def _table(f, name, df, docs, doc, units=None):
    # Text as fixed-length UTF-8: variable-length strings go to a global heap whose layout can differ
    # between two writes of the same data, and the same data must give the same bytes.
    fields, texts = [], {}
    for c in df.columns:
        col = df[c]
        if col.dtype == object:
            texts[c] = [str(v).encode() for v in col]
            fields.append((c, f"S{max([len(t) for t in texts[c]] + [1])}"))
        else:
            fields.append((c, col.to_numpy().dtype))
    arr = np.zeros(len(df), dtype=np.dtype(fields))
    for c in df.columns:
        arr[c] = texts[c] if c in texts else df[c].to_numpy()
    ds = f.create_dataset(name, data=arr, track_times=False, chunks=True if len(arr) else None,
                          compression="gzip" if len(arr) else None, maxshape=(None,) if len(arr) else None)
    ds.attrs["doc"] = _text(doc)
    for c in df.columns:
        ds.attrs[f"{c}.doc"] = _text(docs.get(c, "axis value"))
        if c in texts:
            ds.attrs[f"{c}.encoding"] = _text("utf-8")
        unit = (units or {}).get(c) or ("s" if c.endswith("_s") else "")
        if unit:
            ds.attrs[f"{c}.unit"] = _text(unit)


def _write(out, study, runs, points, metrics_table, metrics):
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = f"{out}.{os.getpid()}.partial"
    info = metrics_table.set_index("metric")
    try:
        with h5py.File(tmp, "w") as f:  # no track_order: its v2 root header holds times
            _table(f, "runs", runs, {**_RUN_DOCS, **{m: info.loc[m, "doc"] or f"summary value {m} of the run"
                                                     for m in metrics}},
                   "one row per (point, replication)", {m: info.loc[m, "unit"] for m in metrics})
            _table(f, "points", points, _POINT_DOCS, "one row per (point, metric): statistics over replications")
            _table(f, "metrics", metrics_table, _METRIC_DOCS, "one row per metric: unit, support, doc")
            a = f.attrs
            a["schema"] = _text(STUDY_SCHEMA)
            a["name"] = _text(study.name)
            a["study_yaml"] = _text(study.text)
            a["seed"] = study.seed
            a["replications"] = study.replications
            a["axes_kind"] = _text(study.axes_kind)
            a["axis_keys"] = _text(json.dumps(study.axis_keys))
            a["metrics"] = _text(json.dumps(metrics))
            a["points"] = _text(json.dumps(study.points, default=str))
            a["labels"] = _text(json.dumps(study.labels))
            a["dltsim_version"] = _text(_dltsim.version)
            a["git_commit"] = _text(_dltsim.git_commit)
            a["runs_ok"] = int((runs.status == "ok").sum()) if len(runs) else 0
            a["runs_total"] = len(runs)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class StudyResult:
    """A collected study: runs, points and metrics as DataFrames; dataset() as an xarray Dataset for a grid."""

    def __init__(self, path):
        self.path = os.fspath(path)
        try:
            f = h5py.File(self.path, "r")
        except OSError as e:
            raise ValueError(f"{self.path}: not an HDF5 file dltsim can read ({e})") from None
        with f:
            schema = f.attrs.get("schema", b"")
            schema = schema.decode() if isinstance(schema, bytes) else str(schema)
            if schema not in READABLE_SCHEMAS:
                raise ValueError(f"{self.path}: not a dltsim study file (no schema attribute '{STUDY_SCHEMA}'; "
                                 "a run's result file is read with dltsim.load)")
            try:
                self.attrs = {k: (v.decode() if isinstance(v, bytes) else (v.item() if hasattr(v, "item") else v))
                              for k, v in f.attrs.items()}
                self.runs = _frame(f["runs"])
                self.points = _frame(f["points"])
                self.metric_info = _frame(f["metrics"]) if "metrics" in f else pd.DataFrame(
                    {"metric": json.loads(self.attrs["metrics"])})
            except (KeyError, ValueError, OSError) as e:
                raise ValueError(f"{self.path}: a damaged study file ({e})") from None
        self.schema = schema
        self.name = self.attrs["name"]
        self.axis_keys = json.loads(self.attrs["axis_keys"])
        self.metrics = json.loads(self.attrs["metrics"])
        self.axes_kind = self.attrs["axes_kind"]
        n_points = len(json.loads(self.attrs.get("points", "[]")))
        self.labels = json.loads(self.attrs["labels"]) if "labels" in self.attrs else [str(i) for i in range(n_points)]

    @property
    def timings(self):
        """Wall time, host, executor and cause per run (timings.csv beside the study file), or None."""
        path = os.path.join(os.path.dirname(os.path.abspath(self.path)), "timings.csv")
        return pd.read_csv(path) if os.path.exists(path) else None

    def wide(self, stat="mean"):
        """One row per point, one column per metric (the given statistic), axis columns first."""
        table = self.points.pivot(index="point", columns="metric", values=stat)[self.metrics]
        first = [c for c in ["label"] + self.axis_keys if c in self.points.columns]
        axes = self.points.drop_duplicates("point").set_index("point")[first]
        return axes.join(table).reset_index()

    def dataset(self):
        """The points as an xarray Dataset over the axes (a grid only), axis values in the study's
        order: each metric's mean, and <metric>_se, <metric>_count."""
        import xarray as xr
        if self.axes_kind != "grid":
            raise ValueError(f"{self.path}: the study's axes are a {self.axes_kind}, not a grid")
        first = self.points.drop_duplicates("point").sort_values("point")
        coords = {k: list(dict.fromkeys(first[k].tolist())) for k in self.axis_keys}
        shape = tuple(len(coords[k]) for k in self.axis_keys)
        index = {int(row["point"]): tuple(coords[k].index(row[k]) for k in self.axis_keys)
                 for _, row in first.iterrows()}
        data = {}
        for stat, suffix in (("mean", ""), ("se", "_se"), ("count", "_count")):
            for m in self.metrics:
                arr = np.full(shape, np.nan)
                for _, row in self.points[self.points.metric == m].iterrows():
                    arr[index[int(row["point"])]] = row[stat]
                data[m + suffix] = (self.axis_keys, arr)
        return xr.Dataset(data, coords=coords)

    def __repr__(self):
        return (f"<dltsim.StudyResult {self.path}: {self.name}, {len(self.points.point.unique())} points, "
                f"{len(self.runs)} runs ({self.attrs.get('runs_ok')} ok)>")


def _frame(ds):
    arr = ds[()]
    data = {}
    for c in arr.dtype.names:
        col = arr[c]
        if col.dtype == object or col.dtype.kind == "S":
            data[c] = [v.decode() if isinstance(v, bytes) else v for v in col]
        else:
            data[c] = col
    return pd.DataFrame(data, columns=list(arr.dtype.names))


def load_study(path):
    """Reads a collected study file (dltsim study run / collect)."""
    return StudyResult(path)
