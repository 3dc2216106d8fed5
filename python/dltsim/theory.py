"""Closed forms from the C++ theory registry (attacks/theory/register_theories.cpp): the same code
the run summaries and `dltsim theory` use, one Python function per registered entry, with the
registry's parameter names, defaults and docs. Nothing here is declared twice.

    from dltsim import theory
    theory.selfish_mining(alpha=0.3, gamma=0.5)["revenue_sm1"]
    theory.double_spending(q=0.1, confirmations=6)["success_rosenfeld"]
    theory.names()                        # the registered entries

References: Eyal and Sirer 2014 (SM1 revenue, threshold); Sapirshtein, Sompolinsky and Zohar 2016
(optimal selfish mining, an MDP solved in C++ with Eigen); Rosenfeld 2014 (exact double-spend
success); Nakamoto 2008 (Poisson approximation); the fixed-delay model; Praos's leader lottery.
"""

import inspect

from . import _dltsim


def _text(value):
    return str(value).lower() if isinstance(value, bool) else repr(value) if isinstance(value, float) else str(value)


def evaluate(name, **params):
    """A registered closed form by name: {result: value} (dltsim.theories() lists them; unknown names
    and parameters, and values out of range, raise ValueError naming what is allowed)."""
    try:
        return _dltsim.theory(name, [f"{k}={_text(v)}" for k, v in params.items()])
    except (RuntimeError, KeyError) as e:
        raise ValueError(str(e)) from None


def _entries():
    return _dltsim.catalog()["theories"]


def names():
    """The registered closed forms, in registration order."""
    return [e["name"] for e in _entries()]


def _default(p):
    text = p["default"]
    if p["type"] == "boolean":
        return text == "true"
    if p["type"] == "integer":
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def _make(entry):
    params = entry["params"]

    def closed_form(**kwargs):
        return evaluate(entry["name"], **kwargs)

    closed_form.__name__ = closed_form.__qualname__ = entry["name"]
    closed_form.__signature__ = inspect.Signature(
        [inspect.Parameter(p["name"], inspect.Parameter.KEYWORD_ONLY, default=_default(p)) for p in params])
    lines = [entry["summary"], "", "Parameters (keyword only):"]
    lines += [f"    {p['name']} ({p['type']}, {p['allowed']}): {p['doc']}" for p in params]
    lines += ["", "Returns {result name: value}."]
    closed_form.__doc__ = "\n".join(lines)
    return closed_form


for _entry in _entries():
    globals()[_entry["name"]] = _make(_entry)

__all__ = ["evaluate", "names"] + names()
