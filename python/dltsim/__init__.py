"""dltsim: discrete-event simulation of distributed ledgers under attack, from Python.

    import dltsim
    r = dltsim.run("scenarios/quickstart.yaml", seed=7)
    r.summary["stale_rate"], r.blocks.head(), r.arrivals.delay_s.describe()

Simulations run in a child process (the dltsim executable; SimGrid allows one engine per process);
validation, the registries and the closed forms run in this process through the native module.
Modules that need pandas or h5py load when first used, so that `dltsim study` and the command-line
helpers start quickly.
"""

import importlib

from . import theory
from ._dltsim import git_commit, schema_version
from ._dltsim import version as __version__
from .errors import DltsimError, OutputError, ScenarioError, ScenarioWarning, SimulationError, StudyError
from .shipped import scenario, scenarios, study_file

_LAZY = {
    "run": "api", "validate": "api", "protocols": "api", "attacks": "api", "presets": "api", "theories": "api",
    "bridges": "api", "describe": "api", "scenario_sections": "api", "Result": "result", "load": "result", "collect": "collect", "report": "report_html",
    "study": "study_api", "StudyResult": "study_collect", "load_study": "study_collect",
}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dltsim' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))


__all__ = [
    "run", "load", "validate", "protocols", "attacks", "presets", "theories", "bridges", "describe", "scenario_sections", "theory",
    "Result", "DltsimError", "ScenarioError", "ScenarioWarning", "SimulationError", "StudyError", "OutputError", "git_commit",
    "schema_version", "study", "load_study", "StudyResult", "report", "scenario", "scenarios", "study_file",
    "collect",
]
