"""Running and validating scenarios; the registries."""

import json
import os
import signal as _signal
import tempfile
import uuid

from . import _dltsim
from .errors import OutputError, ScenarioError, ScenarioWarning, SimulationError

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _executable():
    """The dltsim binary: $DLTSIM_EXECUTABLE, or the one shipped in the package."""
    return os.environ.get("DLTSIM_EXECUTABLE") or os.path.join(_PACKAGE_DIR, "_bin", "dltsim")


def _scenario_source(scenario):
    """(text, name, path or None) for a scenario given as a path, a YAML string or a dict."""
    if isinstance(scenario, dict):
        # JSON is YAML: the C++ loader reads it, and errors point at lines of this text.
        return json.dumps(scenario, indent=2), "<dict>", None
    if isinstance(scenario, os.PathLike):
        scenario = os.fspath(scenario)
    if not isinstance(scenario, str):
        raise TypeError(f"scenario must be a path, a YAML string or a dict, not {type(scenario).__name__}")
    if "\n" not in scenario and (os.path.exists(scenario) or scenario.endswith((".yaml", ".yml"))):
        if not os.path.exists(scenario):
            raise FileNotFoundError(f"scenario file not found: {scenario}")
        with open(scenario, encoding="utf-8") as f:
            return f.read(), scenario, scenario
    return scenario, "<string>", None


def _overrides(overrides, seed=None):
    """--set assignments from a dict {"network.nodes": 500} or a list ["network.nodes=500"]."""
    if overrides is None:
        items = []
    elif isinstance(overrides, dict):
        items = [f"{k}={json.dumps(v) if isinstance(v, (bool, list, dict)) else v}" for k, v in overrides.items()]
    else:
        items = list(overrides)
    if seed is not None:
        items.append(f"general.seed={int(seed)}")
    return items


def _check(text, name, overrides):
    v = _dltsim.validate(text, name, overrides)
    if not v["ok"]:
        message = v["message"]
        if name == "<dict>" and v["source"] == "<dict>":
            # The YAML text is ours, not the user's: name the key, not a line of it.
            message = f"scenario dict: {v['key_path']}: {v['detail']}" if v["key_path"] else f"scenario dict: {v['detail']}"
            raise ScenarioError(message, "<dict>", 0, 0, v["key_path"], v["detail"])
        raise ScenarioError(message, v["source"], v["line"], v["column"], v["key_path"], v["detail"])
    import warnings
    for w in v.get("warnings", []):
        warnings.warn(w, ScenarioWarning, stacklevel=3)
    return v


def validate(scenario, overrides=None):
    """Checks a scenario (path, YAML string or dict) and returns it, after overrides, as a dict.

    Raises ScenarioError with the key path, line and column of the first problem.
    """
    text, name, _ = _scenario_source(scenario)
    v = _check(text, name, _overrides(overrides))
    return _dltsim.yaml_to_python(v["effective_yaml"])


def _progress_line(line):
    """A 'progress: key=value ...' line of dltsim run --progress plain, as a dict of numbers."""
    fields = dict(kv.split("=", 1) for kv in line[len("progress: "):].split())
    out = {k: float(v) for k, v in fields.items()}
    out["blocks"] = int(out["blocks"])
    out["target_blocks"] = int(out["target_blocks"]) if out["target_blocks"] >= 0 else None
    out["eta_s"] = out["eta_s"] if out["eta_s"] >= 0 else None
    for k in ("events", "in_flight"):
        if k in out:
            out[k] = int(out[k])
    out["draining"] = bool(out.get("draining", 0))
    return out


def _show_progress(stream):
    """A progress bar on a terminal or in a notebook (a line rewritten in place)."""
    def show(p):
        width = 24
        done = int(round(p["fraction"] * width))
        eta = f", {p['eta_s']:.0f} s left" if p["eta_s"] is not None else ""
        if p.get("draining"):
            eta = f", delivering: {p.get('in_flight', 0)} in flight"
        target = f"/{p['target_blocks']}" if p["target_blocks"] is not None else ""
        stream.write(f"\r[{'#' * done}{'.' * (width - done)}] {p['fraction'] * 100:3.0f}% "
                     f"sim {p['sim_s']:.4g} s, blocks {p['blocks']}{target}, wall {p['wall_s']:.0f} s{eta}   ")
        stream.flush()
    return show


def _interactive():
    import sys
    return "ipykernel" in sys.modules or (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())


def run(scenario, seed=None, out=None, overrides=None, *, progress="auto", _executable_path=None):
    """Runs a scenario in a child process and returns its Result.

    scenario: a path, a YAML string or a dict. seed: overrides general.seed. out: the HDF5 file to
    write (default: a new file in the temporary directory). overrides: {"key.path": value} or
    ["key.path=value"], as the command line's --set.

    progress: "auto" (a progress bar on stderr in a terminal or a notebook, nothing otherwise),
    True, False, or a callable that gets a dict (sim_s, blocks, target_blocks, wall_s, fraction,
    eta_s, events, in_flight, draining) about once a second.

    Without out, the result goes to a temporary file that is removed when the Result is closed
    (result.close(), a with block) or garbage-collected; if this Python process dies, the simulation
    process stops too.

    Raises ScenarioError on bad input and OutputError (a ValueError) on an output path a result
    cannot go to (both before anything runs), SimulationError if the child fails (exit code, signal and stderr),
    KeyboardInterrupt if interrupted (the child then keeps what it recorded in an .incomplete.h5).
    """
    text, name, path = _scenario_source(scenario)
    sets = _overrides(overrides, seed)
    _check(text, name, sets)
    temporary = out is None
    if out is None:
        out = os.path.join(tempfile.gettempdir(), f"dltsim-{uuid.uuid4().hex[:12]}.h5")
    out = os.fspath(out)
    problem = _dltsim.output_problem(out, path or "")
    if problem:
        raise OutputError(f"out={out!r}: {problem}")
    tmpdir = None
    if path is None:
        tmpdir = tempfile.mkdtemp(prefix="dltsim-")
        path = os.path.join(tmpdir, "scenario.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    argv = [_executable_path or _executable(), "run", path, "-o", out, "-q"]
    for s in sets:
        argv += ["--set", s]
    import sys
    callback, bar = None, False
    if callable(progress):
        callback = lambda line: progress(_progress_line(line))  # noqa: E731
    elif progress is True or (progress == "auto" and _interactive()):
        show = _show_progress(sys.stderr)
        callback, bar = (lambda line: show(_progress_line(line))), True  # noqa: E731
    if callback is not None:
        argv += ["--progress", "plain", "--progress-interval", "1"]
    try:
        code, sig, _stdout, stderr = _dltsim.run_child(argv, callback)
        if bar:
            sys.stderr.write("\n")
    finally:
        if tmpdir is not None:
            os.remove(path)
            os.rmdir(tmpdir)
    stderr = stderr.decode(errors="replace")
    if sig:
        # The child writes under a temporary name and renames only a complete result: a file under
        # the final name can only be an earlier run's.
        state = (f"{out} is left as it was before this run" if os.path.exists(out)
                 else f"nothing was written to {out}")
        raise SimulationError(
            f"the simulation process died with signal {sig} ({_signal.Signals(sig).name}); {state} "
            f"(a temporary {os.path.basename(out)}.*.partial may remain beside it)"
            + (f"; its stderr:\n{stderr}" if stderr else ""),
            None, sig, stderr)
    if code == 2:  # the validator saw everything else: the file system changed since (output path)
        message = stderr.strip().removeprefix("dltsim: error: ")
        raise OutputError(f"out={out!r}: {message}")
    if code != 0:
        raise SimulationError(f"the simulation failed (exit code {code}): {stderr.strip()}", code, None, stderr)
    from .result import Result  # pandas and h5py load with the first result

    return Result(out, temporary=temporary)


def _catalog(kind):
    return _dltsim.catalog()[kind]


def protocols():
    """Registered protocols: name, summary, params (name, type, unit, default, allowed, doc), tables."""
    return _catalog("protocols")


def attacks():
    """Registered attacks, as protocols()."""
    return _catalog("attacks")


def presets():
    """Registered network presets: name, summary, sources."""
    return _catalog("presets")


def theories():
    """Registered closed forms: name, summary, params."""
    return _catalog("theories")


def bridges():
    """Registered bridge mechanisms (links between the ledgers of a run): name, summary, roles, params, tables."""
    return _catalog("bridges")


def scenario_sections():
    """The scenario schema: one entry per section (name is its key path, params its keys with
    type, unit, default, allowed values and doc), as `dltsim describe SECTION` prints them."""
    return _catalog("sections")


def describe(name):
    """The registry entry (protocol, attack, preset, theory, bridge mechanism or scenario section) with that name, as
    a dict; its "text" is what `dltsim describe NAME` prints (print(dltsim.describe("pbft")["text"]))."""
    for kind in ("protocols", "attacks", "presets", "theories", "bridges", "sections"):
        for entry in _catalog(kind):
            if entry["name"] == name:
                return entry
    raise KeyError(f"nothing named {name!r}; protocols: {[e['name'] for e in protocols()]}, "
                   f"attacks: {[e['name'] for e in attacks()]}")
