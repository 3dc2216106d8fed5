"""Running a study from Python, as `dltsim study run` does from the command line."""

import os

import yaml

from .study_collect import collect as _collect
from .study_collect import load_study
from .study_spec import load_study_file, load_study_text


def study(spec, output=None, jobs=None, dask=False, scheduler=None, progress=True, replications=None,
          max_runs=None):
    """Runs a study (a path to a study file, or a dict with the same keys) and returns its
    StudyResult. Runs already done are not run again. A dict's relative paths (base, scenario axes,
    output) are relative to the current directory; output defaults to ./<study name>. max_runs: the
    most runs the study may expand to (default 10,000).

    Raises StudyError (bad study), and RuntimeError listing the failed runs after collecting the
    others. What could not be collected (a damaged run file, a run whose process died, a metric no run
    has) comes as a warning.
    """
    overrides = {"replications": replications} if replications else None
    if isinstance(spec, dict):
        name = spec.get("study", "study")
        text = yaml.safe_dump(spec, sort_keys=False)
        s = load_study_text(text, f"<dict {name}>", os.getcwd(), overrides,
                            output or os.path.join(os.getcwd(), str(spec.get("output", name))), max_runs=max_runs)
    else:
        s = load_study_file(spec, overrides, output, max_runs=max_runs)
    from . import study_run
    if dask or scheduler:
        failures = study_run.run_dask(s, scheduler, jobs, progress)
    else:
        failures = study_run.run_local(s, jobs, progress)
    path, _, _, problems = _collect(s)
    import warnings
    for p in problems:
        warnings.warn(p, RuntimeWarning, stacklevel=2)
    if failures:
        lines = [f"{f['key']}: {f['status']} ({f.get('cause') or 'exit ' + str(f.get('returncode'))}): "
                 f"{(f.get('stderr') or '').strip()[-200:]}" for f in failures]
        raise RuntimeError(f"{len(failures)} of {len(s.runs)} runs failed (the others are in {path}):\n"
                           + "\n".join(lines))
    return load_study(path)
