"""Study files: strict loading with located errors, and expansion into runs.

A study is a base scenario, axes (a grid, a zip of lists, or explicit points) over any key path that
--set accepts, replications per point, and the summary metrics to collect. Every (point,
replication) is an ordinary run; replication r uses the same seed at every point (common random
numbers: differences between points are not blurred by different random draws).
"""

import hashlib
import json
import os

import yaml

from . import _dltsim
from .errors import ScenarioError, StudyError

# key: (doc, required)
STUDY_KEYS = {
    "study": "a name for the study (default: the file name without extension)",
    "base": "the base scenario: a path relative to the study file",
    "scenario": "the base scenario inline, as a mapping (instead of base)",
    "set": "overrides applied to every run, {key.path: value}, as --set",
    "axes": "what varies: exactly one of grid, zip or points",
    "replications": "runs per point, each with its own seed (default 1)",
    "seed": "the study seed; replication r runs with a seed derived from it and r (default 1)",
    "metrics": "summary keys to collect (default: every numeric summary value)",
    "run_timeout": "wall-clock limit per run, a duration ('10 min'); a run over it has failed",
    "output": "folder for the runs and the collected study.h5, relative to the study file "
              "(default: the study file's name without extension, beside it)",
    "slurm": "sbatch options for --slurm, {option: value} ('partition: debug', 'time: \"00:10:00\"')",
}
AXES_KINDS = {
    "grid": "every combination of the listed values, {key.path: [values]}",
    "zip": "the i-th values of every list together, {key.path: [values]} with lists of equal length",
    "points": "a list of points, each {key.path: value}",
}
SCENARIO_AXIS = "scenario"  # an axis key naming the base scenario file of a point

_DURATION_S = {"s": 1, "sec": 1, "min": 60, "h": 3600, "d": 86400, "ms": 1e-3}


def _derive_seed(study_seed, replication):
    """A 63-bit seed for replication r of a study seed (SHA-256; documented, stable across versions)."""
    digest = hashlib.sha256(f"dltsim-study:{study_seed}:{replication}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _compose(text, source):
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)  # duplicates: _mapping
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise StudyError(f"{source}:{line}:{col}: not valid YAML: {getattr(e, 'problem', e)}",
                         source, line, col, "", str(e)) from None
    return node


def _where(source, node):
    return source, node.start_mark.line + 1, node.start_mark.column + 1


def _fail(source, node, key_path, message):
    src, line, col = _where(source, node) if node is not None else (source, 0, 0)
    raise StudyError(f"{src}:{line}:{col}: {key_path}: {message}" if key_path else f"{src}:{line}:{col}: {message}",
                     src, line, col, key_path, message)


def _mapping(source, node, key_path):
    if not isinstance(node, yaml.MappingNode):
        _fail(source, node, key_path, "expected a mapping")
    seen = {}
    for k, v in node.value:
        if not isinstance(k, yaml.ScalarNode):
            _fail(source, k, key_path, "keys must be plain strings")
        if k.value in seen:
            _fail(source, k, f"{key_path}.{k.value}" if key_path else k.value,
                  f"duplicate key (first at line {seen[k.value][0].start_mark.line + 1})")
        seen[k.value] = (k, v)
    return seen


def _plain_value(source, node, key_path):
    """A node as a Python value (scalars typed as YAML 1.1 safe-load does)."""
    if isinstance(node, yaml.ScalarNode):
        return yaml.SafeLoader("").construct_object(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return [_plain_value(source, n, f"{key_path}[{i}]") for i, n in enumerate(node.value)]
    return {k: _plain_value(source, v, f"{key_path}.{k}") for k, (_, v) in _mapping(source, node, key_path).items()}


def _duration_s(source, node, key_path):
    text = str(_plain_value(source, node, key_path)).strip()
    parts = text.split()
    try:
        if len(parts) == 2 and parts[1] in _DURATION_S and float(parts[0]) > 0:
            return float(parts[0]) * _DURATION_S[parts[1]]
    except ValueError:
        pass
    _fail(source, node, key_path, f"expected a positive duration with a unit ({', '.join(_DURATION_S)}), got {text!r}")


class Run:
    """One (point, replication): its overrides, seed and, once checked, its key and effective YAML."""

    def __init__(self, point, replication, seed, values, base_path, base_text, base_name, sets):
        self.point = point              # index of the point
        self.replication = replication  # 0-based
        self.seed = seed
        self.values = values            # {axis key: value} of its point
        self.base_path = base_path
        self.base_text = base_text
        self.base_name = base_name
        self.sets = sets                # --set assignments, seed last
        self.effective_yaml = None
        self.key = None

    def to_dict(self):
        return {"point": self.point, "replication": self.replication, "seed": self.seed, "values": self.values,
                "key": self.key, "effective_yaml": self.effective_yaml}


class Study:
    """A loaded study: its settings, points and runs (see load_study_file)."""

    def __init__(self, path, text, name, seed, replications, metrics, run_timeout_s, output_dir, slurm,
                 axes_kind, axis_keys, points, runs):
        self.path = path
        self.text = text
        self.name = name
        self.seed = seed
        self.replications = replications
        self.metrics = metrics
        self.run_timeout_s = run_timeout_s
        self.output_dir = output_dir
        self.slurm = slurm
        self.axes_kind = axes_kind    # "grid", "zip", "points" or "none"
        self.axis_keys = axis_keys    # in order
        self.points = points          # list of {axis key: value}
        self.runs = runs              # list of Run, point-major

    @property
    def runs_dir(self):
        return os.path.join(self.output_dir, "runs")

    @property
    def study_file(self):
        return os.path.join(self.output_dir, "study.h5")

    def grid_shape(self):
        """Axis values in order, for a grid (None otherwise)."""
        if self.axes_kind != "grid":
            return None
        shape = {}
        for p in self.points:
            for k in self.axis_keys:
                shape.setdefault(k, [])
                if p[k] not in shape[k]:
                    shape[k].append(p[k])
        return shape


def _override_text(key, value):
    return f"{key}={json.dumps(value) if isinstance(value, (bool, list, dict)) else value}"


def load_study_file(path, overrides=None, output_dir=None, check=True):
    """Loads and expands a study file; with check, validates every run's scenario (a located error
    names the point). overrides: {key: value} replacing top-level study settings (e.g. replications)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise StudyError(f"study file not found: {path}", path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return load_study_text(text, path, os.path.dirname(os.path.abspath(path)), overrides, output_dir, check)


def load_study_text(text, source, folder, overrides=None, output_dir=None, check=True):
    root = _compose(text, source)
    if root is None:
        raise StudyError(f"{source}:1:1: empty study file", source, 1, 1)
    top = _mapping(source, root, "")
    for k, (knode, _) in top.items():
        if k not in STUDY_KEYS:
            _fail(source, knode, k, f"unknown key; allowed: {', '.join(STUDY_KEYS)}")
    overrides = dict(overrides or {})

    def get(key, default=None):
        if key in overrides:
            return overrides[key]
        return _plain_value(source, top[key][1], key) if key in top else default

    name = str(get("study", os.path.splitext(os.path.basename(source))[0]))
    seed = get("seed", 1)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        _fail(source, top.get("seed", (None, None))[1], "seed", f"expected an integer >= 0, got {seed!r}")
    replications = get("replications", 1)
    if not isinstance(replications, int) or isinstance(replications, bool) or not 1 <= replications <= 100000:
        _fail(source, top.get("replications", (None, None))[1], "replications",
              f"expected an integer in [1, 100000], got {replications!r}")
    metrics = get("metrics")
    if metrics is not None and (not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics)):
        _fail(source, top["metrics"][1], "metrics", "expected a list of summary keys")
    run_timeout_s = _duration_s(source, top["run_timeout"][1], "run_timeout") if "run_timeout" in top else None
    slurm = get("slurm", {})
    if not isinstance(slurm, dict):
        _fail(source, top["slurm"][1], "slurm", "expected a mapping of sbatch options")
    sets = get("set", {})
    if not isinstance(sets, dict):
        _fail(source, top["set"][1], "set", "expected a mapping {key.path: value}")
    out = output_dir or os.path.join(folder, str(get("output", os.path.splitext(os.path.basename(source))[0])))

    # Axes.
    axes_kind, axis_keys, points, value_nodes = "none", [], [{}], [{}]
    if "axes" in top:
        axes = _mapping(source, top["axes"][1], "axes")
        kinds = [k for k in axes if k in AXES_KINDS]
        for k, (knode, _) in axes.items():
            if k not in AXES_KINDS:
                _fail(source, knode, f"axes.{k}", f"unknown key; allowed: {', '.join(AXES_KINDS)}")
        if len(kinds) != 1:
            _fail(source, top["axes"][1], "axes", f"exactly one of {', '.join(AXES_KINDS)} is required")
        axes_kind = kinds[0]
        node = axes[axes_kind][1]
        if axes_kind in ("grid", "zip"):
            lists = _mapping(source, node, f"axes.{axes_kind}")
            if not lists:
                _fail(source, node, f"axes.{axes_kind}", "no axis")
            columns = {}
            for k, (_, vnode) in lists.items():
                if not isinstance(vnode, yaml.SequenceNode) or not vnode.value:
                    _fail(source, vnode, f"axes.{axes_kind}.{k}", "expected a non-empty list of values")
                columns[k] = [(_plain_value(source, n, f"axes.{axes_kind}.{k}"), n) for n in vnode.value]
            axis_keys = list(columns)
            if axes_kind == "zip":
                lengths = {k: len(v) for k, v in columns.items()}
                if len(set(lengths.values())) != 1:
                    _fail(source, node, "axes.zip", f"lists of different lengths: {lengths}")
                combos = [[columns[k][i] for k in axis_keys] for i in range(len(columns[axis_keys[0]]))]
            else:
                combos = [[]]
                for k in axis_keys:
                    combos = [c + [v] for c in combos for v in columns[k]]
            points = [{k: v for k, (v, _) in zip(axis_keys, c)} for c in combos]
            value_nodes = [{k: n for k, (_, n) in zip(axis_keys, c)} for c in combos]
        else:
            if not isinstance(node, yaml.SequenceNode) or not node.value:
                _fail(source, node, "axes.points", "expected a non-empty list of points")
            points, value_nodes = [], []
            for i, pnode in enumerate(node.value):
                entries = _mapping(source, pnode, f"axes.points[{i}]")
                points.append({k: _plain_value(source, v, f"axes.points[{i}].{k}") for k, (_, v) in entries.items()})
                value_nodes.append({k: v for k, (_, v) in entries.items()})
                for k in entries:
                    if k not in axis_keys:
                        axis_keys.append(k)
            for p in points:  # a key missing from a point keeps the base scenario's value
                for k in axis_keys:
                    p.setdefault(k, None)

    # The base scenario(s).
    if "base" in top and "scenario" in top:
        _fail(source, top["scenario"][0], "scenario", "give base or scenario, not both")
    default_base = None
    if "base" in top:
        default_base = ("path", str(get("base")), top["base"][1])
    elif "scenario" in top:
        scenario = get("scenario")
        if not isinstance(scenario, dict):
            _fail(source, top["scenario"][1], "scenario", "expected a mapping (a scenario)")
        default_base = ("inline", scenario, top["scenario"][1])
    if default_base is None and not all(p.get(SCENARIO_AXIS) for p in points):
        _fail(source, root, "", "no scenario: give base (a path), scenario (inline) or a 'scenario' axis")

    def base_of(point, nodes):
        if point.get(SCENARIO_AXIS):
            rel = str(point[SCENARIO_AXIS])
            return _read_base(source, folder, rel, nodes.get(SCENARIO_AXIS), SCENARIO_AXIS)
        kind, value, node = default_base
        if kind == "path":
            return _read_base(source, folder, value, node, "base")
        return None, json.dumps(value, indent=2), f"{source}: scenario"

    runs = []
    for i, (point, nodes) in enumerate(zip(points, value_nodes)):
        base_path, base_text, base_name = base_of(point, nodes)
        point_sets = [_override_text(k, v) for k, v in sets.items()]
        point_sets += [_override_text(k, v) for k, v in point.items() if k != SCENARIO_AXIS and v is not None]
        for r in range(replications):
            s = _derive_seed(seed, r)
            run = Run(i, r, s, point, base_path, base_text, base_name, point_sets + [f"general.seed={s}"])
            runs.append(run)
        if check:
            for run in runs[-replications:]:
                _check_run(run, source, nodes, top)

    metrics_list = list(metrics) if metrics else None
    return Study(os.path.abspath(source) if os.path.exists(source) else source, text, name, seed, replications,
                 metrics_list, run_timeout_s, out, slurm, axes_kind, axis_keys, points, runs)


def _read_base(source, folder, rel, node, key_path):
    path = rel if os.path.isabs(rel) else os.path.normpath(os.path.join(folder, rel))
    if not os.path.exists(path):
        _fail(source, node, key_path, f"scenario file not found: {path}")
    with open(path, encoding="utf-8") as f:
        return path, f.read(), path


def _check_run(run, source, nodes, top):
    v = _dltsim.validate(run.base_text, run.base_name, run.sets)
    if not v["ok"]:
        # Point at the axis value (or the set entry) that the scenario error names, if any.
        key = v["key_path"]
        node = nodes.get(key) if key else None
        if node is None and "set" in top:
            entries = {k.value: val for k, val in top["set"][1].value} if isinstance(top["set"][1], yaml.MappingNode) else {}
            node = entries.get(key)
        where = node if node is not None else None
        detail = f"point {run.point} {json.dumps(run.values, default=str)}: {v['message']}"
        if where is None:
            raise StudyError(f"{source}: {detail}", source, 0, 0, key, v["detail"])
        src, line, col = _where(source, where)
        raise StudyError(f"{src}:{line}:{col}: {detail}", src, line, col, key, v["detail"])
    run.effective_yaml = v["effective_yaml"]
    ident = _dltsim.version + "\n" + _dltsim.git_commit + "\n" + run.effective_yaml
    run.key = hashlib.sha256(ident.encode()).hexdigest()[:20]


def describe_runs(study):
    """Lines for `study validate`: the points and what each run uses."""
    lines = [f"study {study.name}: {len(study.points)} point(s) x {study.replications} replication(s) = "
             f"{len(study.runs)} run(s); axes: {study.axes_kind} {study.axis_keys}; output: {study.output_dir}"]
    for i, p in enumerate(study.points):
        lines.append(f"  point {i}: " + (", ".join(f"{k}={v}" for k, v in p.items()) or "(base scenario)"))
    return lines


__all__ = ["load_study_file", "load_study_text", "Study", "Run", "describe_runs", "ScenarioError"]
