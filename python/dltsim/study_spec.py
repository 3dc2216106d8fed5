"""Study files: strict loading with located errors, and expansion into runs.

A study is a base scenario, axes (a grid, a zip of lists, or explicit points) over any key path that
--set accepts, replications per point, and the summary metrics to collect. Every (point,
replication) is an ordinary run; replication r uses the same seed at every point (common random
numbers: differences between points are not blurred by different random draws).

A study file is data, shared between researchers and run on clusters: nothing in it reaches a shell.
Names are safe identifiers, sbatch options come from a known list with printable values, the output
folder stays inside the study's folder, and no string holds a control character (a terminal escape
in a value would reach whoever prints it). Every refusal names file:line:column and the key.
"""

import ast
import hashlib
import json
import math
import os
import re

import yaml

from . import _dltsim
from .errors import ScenarioError, StudyError

STUDY_KEYS = {
    "study": "a name for the study: letters, digits, '_', '-', '.', at most 64 (default: the file name "
             "without extension)",
    "base": "the base scenario: a path relative to the study file (read only; it may lie outside the "
            "study's folder)",
    "scenario": "the base scenario inline, as a mapping (instead of base)",
    "set": "overrides applied to every run, {key.path: value}, as --set",
    "axes": "what varies: exactly one of grid, zip or points",
    "replications": "runs per point, each with its own seed (default 1)",
    "seed": "the study seed; replication r runs with a seed derived from it and r (default 1)",
    "metrics": "summary keys to collect (default: every numeric summary value)",
    "derived": "metrics computed from each run's summary, {name: expression} or {name: {expr, unit, doc, "
               "support}}; + - * / and parentheses over summary keys and numbers",
    "run_timeout": "wall-clock limit per run, a duration ('10 min'); a run over it has failed",
    "output": "folder for the runs and the collected study.h5, relative to the study file and inside its "
              "folder (default: the study file's name without extension, beside it)",
    "slurm": "sbatch options for --slurm, {option: value} ('partition: debug', 'time: \"00:10:00\"'); "
             "options from the list in docs/studies.md",
}
AXES_KINDS = {
    "grid": "every combination of the listed values, {key.path: [values]}",
    "zip": "the i-th values of every list together, {key.path: [values]} with lists of equal length",
    "points": "a list of points, each {key.path: value}, with an optional label: a short name",
}
SCENARIO_AXIS = "scenario"  # an axis key naming the base scenario file of a point
POINT_LABEL = "label"       # in an explicit point: its short name, not a key path
DERIVED_KEYS = {"expr": "the expression", "unit": "its unit (default none)", "doc": "one line",
                "support": "real, non-negative or proportion (default real): what its interval respects"}
SUPPORTS = ("real", "non-negative", "proportion")

# Runs a study may expand to unless the command asks for more (--max-runs): a study file from
# someone else must not start a million processes or fill a disk by accident.
DEFAULT_MAX_RUNS = 10000

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_KEY_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[0-9]{1,6}\])*(\.[A-Za-z_][A-Za-z0-9_]*(\[[0-9]{1,6}\])*){0,15}")
_METRIC = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_LABEL_MAX = 40
_VALUE_MAX = 256

# sbatch long options a study may set (sbatch(1), Slurm 22.05): resources, scheduling and
# accounting. Left out on purpose: what the job script sets itself (job-name, array, output, error),
# and what would run other code or change where and as whom it runs (wrap, export, export-file,
# get-user-env, chdir, uid, gid, input, open-mode, container, propagate, parsable, test-only, wait).
SBATCH_VALUE_OPTIONS = frozenset("""account acctg-freq batch begin clusters comment constraint core-spec
cores-per-socket cpu-freq cpus-per-gpu cpus-per-task deadline delay-boot dependency distribution exclude
extra-node-info gpu-bind gpu-freq gpus gpus-per-node gpus-per-socket gpus-per-task gres gres-flags hint
licenses mail-type mail-user mcs-label mem mem-bind mem-per-cpu mem-per-gpu mincpus network nice nodelist
nodes ntasks ntasks-per-core ntasks-per-gpu ntasks-per-node ntasks-per-socket partition power prefer
priority profile qos reservation signal sockets-per-node switches thread-spec threads-per-core time
time-min tmp wckey""".split())
SBATCH_FLAG_OPTIONS = frozenset("""contiguous exclusive hold no-requeue overcommit oversubscribe reboot
requeue spread-job use-min-nodes""".split())


def _derive_seed(study_seed, replication):
    """A 63-bit seed for replication r of a study seed (SHA-256; documented, stable across versions)."""
    digest = hashlib.sha256(f"dltsim-study:{study_seed}:{replication}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _control_character(text):
    """The first control character of text (C0, DEL or C1), or None."""
    for ch in text:
        o = ord(ch)
        if o < 0x20 or 0x7F <= o <= 0x9F:
            return ch
    return None


def _compose(text, source):
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)  # duplicates: _mapping
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise StudyError(f"{source}:{line}:{col}: not valid YAML: {getattr(e, 'problem', e)}",
                         source, line, col, "", str(e)) from None
    except RecursionError:
        raise StudyError(f"{source}: not a study: nested too deeply", source) from None
    return node


def _where(source, node):
    return source, node.start_mark.line + 1, node.start_mark.column + 1


def _fail(source, node, key_path, message):
    src, line, col = _where(source, node) if node is not None else (source, 0, 0)
    raise StudyError(f"{src}:{line}:{col}: {key_path}: {message}" if key_path else f"{src}:{line}:{col}: {message}",
                     src, line, col, key_path, message)


def _show(value, limit=60):
    """A value the user wrote, for a message: repr, cut to its first `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def _check_scalars(source, node, key_path, depth=0, seen=None, newlines=False):
    """No string in the study file holds a control character (with newlines: but line breaks, as
    folded text in the threat catalogue has); nesting is bounded; no alias (a node met twice) that
    would let a small file expand into an enormous study."""
    seen = set() if seen is None else seen
    if depth > 64:
        _fail(source, node, key_path, "nested too deeply (at most 64 levels)")
    if id(node) in seen:
        _fail(source, node, key_path, "YAML anchors and aliases (&, *) are not supported: write the values out")
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        ch = _control_character(node.value.replace("\n", "") if newlines else node.value)
        if ch is not None:
            _fail(source, node, key_path, f"a control character ({ch!r}) in {_show(node.value)}: study files hold "
                                          "printable text only")
    elif isinstance(node, yaml.SequenceNode):
        for i, n in enumerate(node.value):
            _check_scalars(source, n, f"{key_path}[{i}]", depth + 1, seen, newlines)
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            _check_scalars(source, k, key_path, depth + 1, seen)
            name = k.value if isinstance(k, yaml.ScalarNode) else "?"
            _check_scalars(source, v, f"{key_path}.{name}" if key_path else name, depth + 1, seen, newlines)


def _mapping(source, node, key_path):
    if not isinstance(node, yaml.MappingNode):
        _fail(source, node, key_path, "expected a mapping")
    seen = {}
    for k, v in node.value:
        if not isinstance(k, yaml.ScalarNode):
            _fail(source, k, key_path, "keys must be plain strings")
        if k.value == "<<":
            _fail(source, k, key_path, "YAML merge keys (<<) are not supported: write the keys out")
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
    """A positive duration with a unit, parsed as scenarios parse them (sim/core/units.cpp)."""
    text = str(_plain_value(source, node, key_path)).strip()
    parsed = _dltsim.parse_quantity(text)
    if parsed is None or parsed[1] != "s" or not math.isfinite(parsed[0]) or parsed[0] <= 0:
        _fail(source, node, key_path, f"expected a positive duration with a unit (ns, us, ms, s, min, h, d), "
                                      f"got {_show(text)}")
    return parsed[0]


def _safe_name(source, node, key_path, value, what):
    if not isinstance(value, str) or not _SAFE_NAME.fullmatch(value):
        _fail(source, node, key_path, f"{what} must be 1 to 64 letters, digits, '_', '-' or '.', starting with a "
                                      f"letter or digit; got {_show(value)}")
    return value


def _key_path(source, node, key_path, key):
    if not _KEY_PATH.fullmatch(key):
        _fail(source, node, key_path, f"{_show(key)} is not a key path (names with dots and [index], as "
                                      "--set takes: network.nodes, attacks[0].params.alpha)")


def _output_folder(source, node, value):
    """The study file's output: a relative path inside the study's folder, of safe names."""
    if not isinstance(value, str) or not value:
        _fail(source, node, "output", f"expected a folder name, got {_show(value)}")
    parts = value.split("/")
    if value.startswith("/") or any(p in ("", ".", "..") or not _SAFE_NAME.fullmatch(p) for p in parts):
        _fail(source, node, "output", f"{_show(value)}: the output folder must stay inside the study's folder: "
                                      "a relative path of names (letters, digits, '_', '-', '.'), no '..', "
                                      "not absolute; elsewhere is for the command line (--output)")
    return value


def check_sbatch_option(key, value):
    """Why an sbatch option cannot go into a job script ('' if it can). Values are written quoted
    on '#SBATCH --key="value"' lines, which sbatch reads itself (no shell)."""
    if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", key):
        return f"{_show(key)} is not an sbatch option name"
    name = key.replace("_", "-")
    if name in SBATCH_FLAG_OPTIONS:
        if value is True:
            return ""
        return f"--{name} is a flag: write true"
    if name not in SBATCH_VALUE_OPTIONS:
        return (f"--{name} is not an sbatch option a study may set; allowed: "
                f"{', '.join(sorted(SBATCH_VALUE_OPTIONS | SBATCH_FLAG_OPTIONS))}")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return f"--{name} takes one value (text or a number), got {_show(value)}"
    text = str(value)
    if not text or len(text) > _VALUE_MAX:
        return f"--{name}: a value of 1 to {_VALUE_MAX} characters, got {len(text)}"
    ch = _control_character(text)
    if ch is not None or '"' in text or "\\" in text:
        what = f"a control character {ch!r}" if ch else "a quote or a backslash"
        return f"--{name}: {_show(text)} holds {what}: not allowed in a job script"
    return ""


def sbatch_options(source, node, options):
    """The slurm mapping, checked: {option name with dashes: value}."""
    out = {}
    nodes = _mapping(source, node, "slurm") if node is not None else {}
    for k, v in options.items():
        problem = check_sbatch_option(k, v)
        if problem:
            where = nodes[k][1] if k in nodes else node
            _fail(source, where, f"slurm.{k}", problem)
        out[str(k).replace("_", "-")] = v
    return out


def _label(source, node, key_path, value):
    if not isinstance(value, str) or not value.strip() or len(value) > _LABEL_MAX:
        _fail(source, node, key_path, f"a label is 1 to {_LABEL_MAX} characters of text, got {_show(value)}")
    return value


def _short(value, limit=16):
    text = value if isinstance(value, str) else json.dumps(value, default=str, separators=(",", ":"))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def default_label(point, axis_keys):
    """A point's short name: 'key=value' for what it sets, the key's last part, values cut short."""
    parts = []
    for k in axis_keys:
        v = point.get(k)
        if v is None:
            continue
        if k == SCENARIO_AXIS and isinstance(v, str):  # a file: its name says it
            parts.append(os.path.splitext(os.path.basename(v))[0])
            continue
        name = k.rsplit(".", 1)[-1]
        parts.append(f"{name}={_short(v)}")
    return ", ".join(parts) or "base"


class Derived:
    """A metric computed from a run's summary: an expression over summary keys."""

    def __init__(self, name, expr, unit, doc, support, tree):
        self.name, self.expr, self.unit, self.doc, self.support = name, expr, unit, doc, support
        self._tree = tree
        self.keys = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)})

    def value(self, summary):
        """The value for one run's summary ({key: number}); NaN when a key is missing or a division by 0."""
        def ev(n):
            if isinstance(n, ast.Expression):
                return ev(n.body)
            if isinstance(n, ast.Constant):
                return float(n.value)
            if isinstance(n, ast.Name):
                v = summary.get(n.id)
                return float(v) if v is not None else math.nan
            if isinstance(n, ast.UnaryOp):
                v = ev(n.operand)
                return -v if isinstance(n.op, ast.USub) else v
            a, b = ev(n.left), ev(n.right)
            if isinstance(n.op, ast.Add):
                return a + b
            if isinstance(n.op, ast.Sub):
                return a - b
            if isinstance(n.op, ast.Mult):
                return a * b
            return a / b if b != 0 else math.nan
        try:
            return ev(self._tree)
        except (OverflowError, ValueError):
            return math.nan


_ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Add, ast.Sub, ast.Mult,
                  ast.Div, ast.USub, ast.UAdd, ast.Load)


def _parse_expression(source, node, key_path, text):
    if not isinstance(text, str) or not text.strip() or len(text) > 500:
        _fail(source, node, key_path, f"expected an expression of at most 500 characters, got {_show(text)}")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        _fail(source, node, key_path, f"{_show(text)} is not an expression (+ - * / and parentheses over summary "
                                      "keys and numbers)")
    depth = 0
    for n in ast.walk(tree):
        depth += 1
        ok = isinstance(n, _ALLOWED_NODES) and not (isinstance(n, ast.Constant) and (
            isinstance(n.value, bool) or not isinstance(n.value, (int, float))))
        if not ok or depth > 200:
            what = type(n).__name__ if not ok else "too long"
            _fail(source, node, key_path, f"{_show(text)}: {what} is not allowed; only + - * / and parentheses "
                                          "over summary keys and numbers")
    return tree


def _read_derived(source, node):
    out = []
    for name, (knode, vnode) in _mapping(source, node, "derived").items():
        path = f"derived.{name}"
        if not _METRIC.fullmatch(name):
            _fail(source, knode, path, "a derived metric's name is a summary-key-like identifier (letters, digits, _)")
        spec = {"expr": None, "unit": "", "doc": "", "support": "real"}
        if isinstance(vnode, yaml.MappingNode):
            entries = _mapping(source, vnode, path)
            for k, (kn, vn) in entries.items():
                if k not in DERIVED_KEYS:
                    _fail(source, kn, f"{path}.{k}", f"unknown key; allowed: {', '.join(DERIVED_KEYS)}")
                spec[k] = _plain_value(source, vn, f"{path}.{k}")
            if "expr" not in entries:
                _fail(source, vnode, path, "missing expr: the expression")
            expr_node = entries["expr"][1]
            for k in ("unit", "doc"):
                if not isinstance(spec[k], str) or len(spec[k]) > 200:
                    _fail(source, entries[k][1], f"{path}.{k}", f"expected text of at most 200 characters")
            if spec["support"] not in SUPPORTS:
                _fail(source, entries["support"][1], f"{path}.support",
                      f"{_show(spec['support'])} is not one of {', '.join(SUPPORTS)}")
        else:
            spec["expr"], expr_node = _plain_value(source, vnode, path), vnode
        tree = _parse_expression(source, expr_node, path, spec["expr"])
        d = Derived(name, spec["expr"], spec["unit"], spec["doc"] or f"derived: {spec['expr']}", spec["support"], tree)
        d.node = expr_node
        out.append(d)
    return out


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
        self.warnings = []              # settings without effect (the scenario validator's)

    def to_dict(self):
        return {"point": self.point, "replication": self.replication, "seed": self.seed, "values": self.values,
                "key": self.key, "effective_yaml": self.effective_yaml}


class Study:
    """A loaded study: its settings, points and runs (see load_study_file)."""

    def __init__(self, path, text, name, seed, replications, metrics, run_timeout_s, output_dir, slurm,
                 axes_kind, axis_keys, points, runs, labels=None, derived=None):
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
        self.labels = labels or [default_label(p, axis_keys) for p in points]  # a short name per point
        self.derived = derived or []  # Derived metrics

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
    return f"{key}={json.dumps(value) if isinstance(value, (bool, list, dict)) or value is None else value}"


def load_study_file(path, overrides=None, output_dir=None, check=True, max_runs=None):
    """Loads and expands a study file; with check, validates every run's scenario (a located error
    names the point). overrides: {key: value} replacing top-level study settings (e.g. replications).
    max_runs: the most runs it may expand to (default DEFAULT_MAX_RUNS)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise StudyError(f"study file not found: {path}", path)
    if not os.path.isfile(path):
        raise StudyError(f"{path}: not a regular file", path)
    if os.path.getsize(path) > 10_000_000:
        raise StudyError(f"{path}: {os.path.getsize(path)} bytes: a study file is at most 10 MB", path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except UnicodeDecodeError as e:
        raise StudyError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})", path) from None
    return load_study_text(text, path, os.path.dirname(os.path.abspath(path)), overrides, output_dir, check,
                           max_runs)


def _expand_count(source, axes_kind, columns_or_points, replications, node, max_runs):
    """Refuses, before expanding, a study that would make more runs than max_runs."""
    if axes_kind == "grid":
        points = 1
        for values in columns_or_points.values():
            points *= len(values)
    else:
        points = len(columns_or_points)
    runs = points * replications
    if runs > max_runs:
        _fail(source, node, "axes" if node is not None else "replications",
              f"the study would make {runs:,} runs ({points:,} point(s) x {replications} replication(s)); at most "
              f"{max_runs:,} unless asked (dltsim study ... --max-runs N, or max_runs= in Python)")


def load_study_text(text, source, folder, overrides=None, output_dir=None, check=True, max_runs=None):
    max_runs = DEFAULT_MAX_RUNS if max_runs is None else int(max_runs)
    root = _compose(text, source)
    if root is None:
        raise StudyError(f"{source}:1:1: empty study file", source, 1, 1)
    _check_scalars(source, root, "")
    top = _mapping(source, root, "")
    for k, (knode, _) in top.items():
        if k not in STUDY_KEYS:
            _fail(source, knode, k, f"unknown key; allowed: {', '.join(STUDY_KEYS)}")
    overrides = dict(overrides or {})

    def get(key, default=None):
        if key in overrides:
            return overrides[key]
        return _plain_value(source, top[key][1], key) if key in top else default

    def node_of(key):
        return top[key][1] if key in top else None

    default_name = os.path.splitext(os.path.basename(source))[0]
    if "study" in top:
        name = _safe_name(source, node_of("study"), "study", get("study"), "a study name")
    elif _SAFE_NAME.fullmatch(default_name):
        name = default_name
    else:
        _fail(source, root, "study", f"the file name {_show(default_name)} is not a safe study name: give study: "
                                     "(letters, digits, '_', '-', '.')")
    seed = get("seed", 1)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2 ** 63:
        _fail(source, node_of("seed"), "seed", f"expected an integer in [0, 2^63), got {_show(seed)}")
    replications = get("replications", 1)
    if not isinstance(replications, int) or isinstance(replications, bool) or not 1 <= replications <= 100000:
        _fail(source, node_of("replications"), "replications",
              f"expected an integer in [1, 100000], got {_show(replications)}")
    metrics = get("metrics")
    if metrics is not None:
        if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
            _fail(source, node_of("metrics"), "metrics", "expected a list of summary keys")
        for i, m in enumerate(metrics):
            if not _METRIC.fullmatch(m):
                where = node_of("metrics").value[i] if isinstance(node_of("metrics"), yaml.SequenceNode) else None
                _fail(source, where, f"metrics[{i}]", f"{_show(m)} is not a summary key (letters, digits, _)")
        if len(set(metrics)) != len(metrics):
            _fail(source, node_of("metrics"), "metrics", "a metric is listed twice")
    derived = _read_derived(source, node_of("derived")) if "derived" in top else []
    names = set(metrics or [])
    for d in derived:
        if d.name in names:
            _fail(source, d.node, f"derived.{d.name}", "a derived metric may not have a metrics entry's name")
    run_timeout_s = _duration_s(source, node_of("run_timeout"), "run_timeout") if "run_timeout" in top else None
    slurm = get("slurm", {})
    if not isinstance(slurm, dict):
        _fail(source, node_of("slurm"), "slurm", "expected a mapping of sbatch options")
    slurm = sbatch_options(source, node_of("slurm"), slurm)
    sets = get("set", {})
    if not isinstance(sets, dict):
        _fail(source, node_of("set"), "set", "expected a mapping {key.path: value}")
    if "set" in top:
        for k, (knode, _) in _mapping(source, node_of("set"), "set").items():
            _key_path(source, knode, f"set.{k}", k)
    # Checked even when the command line gives the folder: a bad file is bad wherever it runs.
    rel = _output_folder(source, node_of("output"), get("output")) if "output" in top else default_name
    out = os.path.abspath(output_dir) if output_dir else os.path.join(folder, rel)

    # Axes.
    axes_kind, axis_keys, points, value_nodes, labels = "none", [], [{}], [{}], None
    if "axes" in top:
        axes = _mapping(source, node_of("axes"), "axes")
        kinds = [k for k in axes if k in AXES_KINDS]
        for k, (knode, _) in axes.items():
            if k not in AXES_KINDS:
                _fail(source, knode, f"axes.{k}", f"unknown key; allowed: {', '.join(AXES_KINDS)}")
        if len(kinds) != 1:
            _fail(source, node_of("axes"), "axes", f"exactly one of {', '.join(AXES_KINDS)} is required")
        axes_kind = kinds[0]
        node = axes[axes_kind][1]
        if axes_kind in ("grid", "zip"):
            lists = _mapping(source, node, f"axes.{axes_kind}")
            if not lists:
                _fail(source, node, f"axes.{axes_kind}", "no axis")
            columns = {}
            for k, (knode, vnode) in lists.items():
                if k != SCENARIO_AXIS:
                    _key_path(source, knode, f"axes.{axes_kind}.{k}", k)
                if not isinstance(vnode, yaml.SequenceNode) or not vnode.value:
                    _fail(source, vnode, f"axes.{axes_kind}.{k}", "expected a non-empty list of values")
                columns[k] = vnode.value
            axis_keys = list(columns)
            if axes_kind == "zip":
                lengths = {k: len(v) for k, v in columns.items()}
                if len(set(lengths.values())) != 1:
                    _fail(source, node, "axes.zip", f"lists of different lengths: {lengths}")
                _expand_count(source, "zip", list(range(len(columns[axis_keys[0]]))), replications, node, max_runs)
            else:
                _expand_count(source, "grid", columns, replications, node, max_runs)
            columns = {k: [(_plain_value(source, n, f"axes.{axes_kind}.{k}"), n) for n in ns] for k, ns in columns.items()}
            if axes_kind == "zip":
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
            _expand_count(source, "points", node.value, replications, node, max_runs)
            points, value_nodes, labels, label_nodes = [], [], [], []
            for i, pnode in enumerate(node.value):
                entries = _mapping(source, pnode, f"axes.points[{i}]")
                point, nodes, label = {}, {}, None
                for k, (knode, vnode) in entries.items():
                    if k == POINT_LABEL:
                        label = _label(source, vnode, f"axes.points[{i}].label", _plain_value(source, vnode, k))
                        label_nodes.append(vnode)
                        continue
                    if k != SCENARIO_AXIS:
                        _key_path(source, knode, f"axes.points[{i}].{k}", k)
                    point[k] = _plain_value(source, vnode, f"axes.points[{i}].{k}")
                    nodes[k] = vnode
                    if k not in axis_keys:
                        axis_keys.append(k)
                points.append(point)
                value_nodes.append(nodes)
                labels.append(label)
            for p in points:  # a key missing from a point keeps the base scenario's value
                for k in axis_keys:
                    p.setdefault(k, None)
            labels = [lab if lab is not None else default_label(p, axis_keys) for lab, p in zip(labels, points)]
            seen = {}
            for i, lab in enumerate(labels):
                if lab in seen:
                    pnode = node.value[i]
                    _fail(source, pnode, f"axes.points[{i}]",
                          f"its label {_show(lab)} is also point {seen[lab]}'s: give the points distinct labels")
                seen[lab] = i
    else:
        _expand_count(source, "points", [{}], replications, node_of("replications"), max_runs)
    if labels is None:
        labels = [default_label(p, axis_keys) for p in points]
        if len(set(labels)) != len(labels):  # values cut short alike: number them
            labels = [f"{i}: {lab}" for i, lab in enumerate(labels)]

    # The base scenario(s).
    if "base" in top and "scenario" in top:
        _fail(source, top["scenario"][0], "scenario", "give base or scenario, not both")
    default_base = None
    if "base" in top:
        base = get("base")
        if not isinstance(base, str) or not base:
            _fail(source, node_of("base"), "base", f"expected the path of a scenario file, got {_show(base)}")
        default_base = ("path", base, node_of("base"))
    elif "scenario" in top:
        scenario = get("scenario")
        if not isinstance(scenario, dict):
            _fail(source, node_of("scenario"), "scenario", "expected a mapping (a scenario)")
        default_base = ("inline", scenario, node_of("scenario"))
    if default_base is None and not all(p.get(SCENARIO_AXIS) for p in points):
        _fail(source, root, "", "no scenario: give base (a path), scenario (inline) or a 'scenario' axis")

    bases = {}

    def base_of(point, nodes):
        if point.get(SCENARIO_AXIS):
            rel = point[SCENARIO_AXIS]
            if not isinstance(rel, str):
                _fail(source, nodes.get(SCENARIO_AXIS), SCENARIO_AXIS, f"expected a scenario file, got {_show(rel)}")
            return _read_base(source, folder, rel, nodes.get(SCENARIO_AXIS), SCENARIO_AXIS, bases)
        kind, value, node = default_base
        if kind == "path":
            return _read_base(source, folder, value, node, "base", bases)
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
                 metrics_list, run_timeout_s, out, slurm, axes_kind, axis_keys, points, runs, labels, derived)


def _read_base(source, folder, rel, node, key_path, cache):
    path = rel if os.path.isabs(rel) else os.path.normpath(os.path.join(folder, rel))
    if path in cache:
        return cache[path]
    if not os.path.isfile(path):
        _fail(source, node, key_path, f"scenario file not found: {path}" if not os.path.exists(path)
              else f"{path}: not a regular file")
    if os.path.getsize(path) > 10_000_000:
        _fail(source, node, key_path, f"{path}: larger than 10 MB: not a scenario")
    try:
        with open(path, encoding="utf-8") as f:
            cache[path] = (path, f.read(), path)
    except (OSError, UnicodeDecodeError) as e:
        _fail(source, node, key_path, f"cannot read {path}: {e}")
    return cache[path]


def _check_run(run, source, nodes, top):
    v = _dltsim.validate(run.base_text, run.base_name, run.sets)
    if not v["ok"]:
        # Point at the axis value (or the set entry) that the scenario error names, if any.
        key = v["key_path"]
        node = nodes.get(key) if key else None
        if node is None and "set" in top:
            entries = {k.value: val for k, val in top["set"][1].value} if isinstance(top["set"][1], yaml.MappingNode) else {}
            node = entries.get(key)
        detail = f"point {run.point} {json.dumps(run.values, default=str)}: {v['message']}"
        if node is None:
            raise StudyError(f"{source}: {detail}", source, 0, 0, key, v["detail"])
        src, line, col = _where(source, node)
        raise StudyError(f"{src}:{line}:{col}: {detail}", src, line, col, key, v["detail"])
    run.effective_yaml = v["effective_yaml"]
    run.warnings = list(v.get("warnings", []))
    ident = _dltsim.version + "\n" + _dltsim.git_commit + "\n" + run.effective_yaml
    run.key = hashlib.sha256(ident.encode()).hexdigest()[:20]


def describe_runs(study):
    """Lines for `study validate`: the points and what each run uses."""
    lines = [f"study {study.name}: {len(study.points)} point(s) x {study.replications} replication(s) = "
             f"{len(study.runs)} run(s); axes: {study.axes_kind} {study.axis_keys}; output: {study.output_dir}"]
    for i, (p, label) in enumerate(zip(study.points, study.labels)):
        values = ", ".join(f"{k}={json.dumps(v, default=str) if isinstance(v, (dict, list, bool)) else v}"
                           for k, v in p.items() if v is not None)
        base = [k for k, v in p.items() if v is None]
        kept = f" (base value of {', '.join(base)})" if base else ""
        lines.append(f"  point {i} [{label}]: " + (values or "(base scenario)") + kept)
    for d in study.derived:
        lines.append(f"  derived {d.name} = {d.expr}" + (f" ({d.unit})" if d.unit else ""))
    return lines


def warnings_of(study):
    """The scenario validator's warnings (settings without effect), each once, with the points it concerns."""
    seen = {}
    for run in study.runs:
        for w in run.warnings:
            seen.setdefault(w, [])
            if run.point not in seen[w]:
                seen[w].append(run.point)
    return [f"{w} (point{'s' if len(p) > 1 else ''} {', '.join(map(str, p[:10]))}{', ...' if len(p) > 10 else ''})"
            for w, p in seen.items()]


__all__ = ["load_study_file", "load_study_text", "Study", "Run", "Derived", "describe_runs", "warnings_of",
           "check_sbatch_option", "ScenarioError", "DEFAULT_MAX_RUNS"]
