"""Collecting a study's runs into one HDF5 file (a runs table and a points table), and reading it
back as pandas DataFrames (and an xarray Dataset over the axes of a grid)."""

import json
import math
import os

import h5py
import numpy as np
import pandas as pd

from . import _dltsim
from .study_run import read_status, run_paths, run_summary, write_status

STUDY_SCHEMA = "dltsim-study-1"
CONFIDENCE = 0.95


def _run_record(runs_dir, key):
    """(summary or None, status dict or None) of a run, reading its status file once. A finished run
    without a summary in it (run elsewhere) is read from its HDF5 file, and the summary remembered:
    collecting 10,000 runs then reads small JSON files, not HDF5 files."""
    h5, _, status_path = run_paths(runs_dir, key)
    status = read_status(status_path)
    if not os.path.exists(h5):
        return None, status
    if status is not None and "summary" in status:
        return status["summary"], status
    status = {"key": key, "status": "ok", "summary": run_summary(h5)}
    try:
        write_status(status_path, status)
    except OSError:
        pass
    return status["summary"], status


def _axis_column(values):
    """An axis as a numeric column when every value is a number, else as text."""
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.float64)
    return np.array(["" if v is None else (json.dumps(v) if isinstance(v, (list, dict, bool)) else str(v))
                     for v in values], dtype=object)


def _t_quantile(p, dof):
    return _dltsim.student_t_quantile(p, dof)  # Boost.Math: no scipy import in the study path


def point_statistics(values):
    """mean, standard error, confidence interval (Student t, 95 %) and count of the finite values."""
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=np.float64)
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan, 0
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, math.nan, math.nan, 1
    se = float(x.std(ddof=1) / math.sqrt(n))
    half = _t_quantile(0.5 + CONFIDENCE / 2, n - 1) * se
    return mean, se, mean - half, mean + half, n


def collect(study, out=None):
    """Reads every run of the study (done or not) and writes the study file atomically; returns
    (path, runs DataFrame, points DataFrame)."""
    out = out or study.study_file
    rows, metric_order = [], {}
    for run in study.runs:
        summary, st = _run_record(study.runs_dir, run.key)
        status = "ok" if summary is not None else (st["status"] if st else "missing")
        row = {"point": run.point, "replication": run.replication, "seed": run.seed, "key": run.key,
               "status": status, "path": os.path.relpath(run_paths(study.runs_dir, run.key)[0], study.output_dir),
               "wall_s": float(st["wall_s"]) if st and "wall_s" in st else math.nan,
               "summary": summary or {}}
        rows.append(row)
        for k in (summary or {}):
            metric_order.setdefault(k, None)
    metrics = study.metrics if study.metrics else list(metric_order)

    runs = pd.DataFrame({
        "point": [r["point"] for r in rows], "replication": [r["replication"] for r in rows],
        "seed": np.array([r["seed"] for r in rows], dtype=np.uint64), "status": [r["status"] for r in rows],
        "key": [r["key"] for r in rows], "path": [r["path"] for r in rows], "wall_s": [r["wall_s"] for r in rows]})
    for k in study.axis_keys:
        runs.insert(len(runs.columns) - 3, k, _axis_column([study.points[r["point"]][k] for r in rows]))
    for m in metrics:
        runs[m] = np.array([r["summary"].get(m, math.nan) for r in rows], dtype=np.float64)

    prow = []
    for i, p in enumerate(study.points):
        sel = runs[(runs.point == i) & (runs.status == "ok")]
        for m in metrics:
            mean, se, lo, hi, n = point_statistics(sel[m].tolist())
            prow.append({"point": i, "metric": m, "mean": mean, "se": se, "ci95_low": lo, "ci95_high": hi,
                         "count": n})
    points = pd.DataFrame(prow, columns=["point", "metric", "mean", "se", "ci95_low", "ci95_high", "count"])
    for j, k in enumerate(study.axis_keys):
        points.insert(1 + j, k, _axis_column([study.points[i][k] for i in points.point]) if len(points) else [])
    _write(out, study, runs, points, metrics)
    return out, runs, points


_RUN_DOCS = {"point": "index of the point", "replication": "replication index (0-based) at its point",
             "seed": "the run's seed (derived from the study seed and the replication)",
             "status": "ok, failed, timeout or missing", "key": "hash of the effective scenario, seed and dltsim version",
             "path": "the run's result file, relative to the study file", "wall_s": "wall-clock time of the run"}
_POINT_DOCS = {"point": "index of the point", "metric": "summary key", "mean": "mean over the replications that finished",
               "se": "standard error of the mean (sample standard deviation / sqrt(count))",
               "ci95_low": "95 % confidence interval of the mean, Student t", "ci95_high": "upper end of it",
               "count": "replications with a finite value"}


def _text(value):
    """A string attribute of fixed length (variable-length ones live in the global heap)."""
    return np.bytes_(str(value).encode())


def _table(f, name, df, docs, doc):
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
    arr = np.empty(len(df), dtype=np.dtype(fields))
    for c in df.columns:
        arr[c] = texts[c] if c in texts else df[c].to_numpy()
    ds = f.create_dataset(name, data=arr, track_times=False, chunks=True if len(arr) else None,
                          compression="gzip" if len(arr) else None, maxshape=(None,) if len(arr) else None)
    ds.attrs["doc"] = _text(doc)
    for c in df.columns:
        ds.attrs[f"{c}.doc"] = _text(docs.get(c, "axis value"))
        if c in texts:
            ds.attrs[f"{c}.encoding"] = _text("utf-8")
        if c.endswith("_s"):
            ds.attrs[f"{c}.unit"] = _text("s")


def _write(out, study, runs, points, metrics):
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = f"{out}.{os.getpid()}.partial"
    try:
        with h5py.File(tmp, "w") as f:  # no track_order: its v2 root header holds times
            _table(f, "runs", runs, {**_RUN_DOCS, **{m: f"summary value {m} of the run" for m in metrics}},
                   "one row per (point, replication)")
            _table(f, "points", points, _POINT_DOCS, "one row per (point, metric): statistics over replications")
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
            a["dltsim_version"] = _text(_dltsim.version)
            a["git_commit"] = _text(_dltsim.git_commit)
            a["runs_ok"] = int((runs.status == "ok").sum()) if len(runs) else 0
            a["runs_total"] = len(runs)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class StudyResult:
    """A collected study: runs and points as DataFrames; dataset() as an xarray Dataset for a grid."""

    def __init__(self, path):
        self.path = os.fspath(path)
        try:
            f = h5py.File(self.path, "r")
        except OSError as e:
            raise ValueError(f"{self.path}: not an HDF5 file dltsim can read ({e})") from None
        with f:
            if f.attrs.get("schema") not in (STUDY_SCHEMA, STUDY_SCHEMA.encode()):
                raise ValueError(f"{self.path}: not a dltsim study file (no schema attribute '{STUDY_SCHEMA}'; "
                                 "a run's result file is read with dltsim.load)")
            self.attrs = {k: (v.decode() if isinstance(v, bytes) else (v.item() if hasattr(v, "item") else v))
                          for k, v in f.attrs.items()}
            self.runs = _frame(f["runs"])
            self.points = _frame(f["points"])
        self.name = self.attrs["name"]
        self.axis_keys = json.loads(self.attrs["axis_keys"])
        self.metrics = json.loads(self.attrs["metrics"])
        self.axes_kind = self.attrs["axes_kind"]

    def wide(self, stat="mean"):
        """One row per point, one column per metric (the given statistic), axis columns first."""
        table = self.points.pivot(index="point", columns="metric", values=stat)[self.metrics]
        axes = self.points.drop_duplicates("point").set_index("point")[self.axis_keys]
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
