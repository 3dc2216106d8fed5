"""dltsim: discrete-event simulation of distributed ledgers under attack, from Python.

    import dltsim
    r = dltsim.run("scenarios/quickstart.yaml", seed=7)
    r.summary["stale_rate"], r.blocks.head(), r.arrivals.delay_s.describe()

Simulations run in a child process (the dltsim executable; SimGrid allows one engine per process);
validation, the registries and the closed forms run in this process through the native module.
"""

from . import theory
from ._dltsim import git_commit, schema_version
from ._dltsim import version as __version__
from .api import attacks, describe, presets, protocols, run, theories, validate
from .errors import DltsimError, OutputError, ScenarioError, SimulationError, StudyError
from .result import Result, load
from .collect import collect
from .report_html import report
from .shipped import scenario, scenarios, study_file
from .study_api import study
from .study_collect import StudyResult, load_study

__all__ = [
    "run", "load", "validate", "protocols", "attacks", "presets", "theories", "describe", "theory",
    "Result", "DltsimError", "ScenarioError", "SimulationError", "StudyError", "OutputError", "git_commit", "schema_version",
    "study", "load_study", "StudyResult", "report", "scenario", "scenarios", "study_file", "collect",
]
