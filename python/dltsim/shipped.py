"""The shipped scenarios and studies, found wherever the caller runs from: $DLTSIM_SCENARIOS (a
folder), the copy inside the package (build/python and pip installs carry one), or the source tree
next to the package."""

import os

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _folders(kind):
    env = os.environ.get("DLTSIM_SCENARIOS" if kind == "scenarios" else "DLTSIM_STUDIES")
    if env:
        yield env
    yield os.path.join(_PACKAGE_DIR, "_data", kind)
    yield os.path.join(os.path.dirname(os.path.dirname(_PACKAGE_DIR)), kind)  # source tree: python/dltsim


def _find(kind, name):
    for folder in _folders(kind):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    known = sorted(_names(kind))
    raise FileNotFoundError(f"no shipped {kind[:-1]} {name!r}; shipped: {', '.join(known) or 'none found'}")


def _names(kind):
    for folder in _folders(kind):
        if os.path.isdir(folder):
            return [f for f in os.listdir(folder) if f.endswith(".yaml")]
    return []


def scenario(name):
    """The path of a shipped scenario, e.g. dltsim.scenario("quickstart.yaml")."""
    return _find("scenarios", name if name.endswith(".yaml") else name + ".yaml")


def scenarios():
    """Names of the shipped scenarios."""
    return sorted(_names("scenarios"))


def study_file(name):
    """The path of a shipped study, e.g. dltsim.study_file("regression.yaml")."""
    return _find("studies", name if name.endswith(".yaml") else name + ".yaml")
