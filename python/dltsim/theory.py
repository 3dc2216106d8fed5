"""Closed forms from the C++ code (attacks/theory/): the same functions the run summaries use.

References: Eyal and Sirer 2014 (SM1 revenue, threshold); Sapirshtein, Sompolinsky and Zohar 2016
(optimal selfish mining, an MDP solved in C++ with Eigen); Rosenfeld 2014 (exact double-spend
success); Nakamoto 2008 (Poisson approximation).
"""

from ._dltsim import (
    double_spend_give_up,
    double_spend_nakamoto,
    double_spend_rosenfeld,
    majority_expected_blocks,
    majority_expected_depth,
    selfish_mining_optimal,
    selfish_mining_optimal_revenue,
    selfish_mining_revenue,
    selfish_mining_threshold,
    selfish_mining_upper_bound,
)
from . import _dltsim


def evaluate(name, **params):
    """A registered closed form by name (dltsim.theories()), e.g. evaluate("selfish_mining", alpha=0.3)."""
    return _dltsim.theory(name, [f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in params.items()])


__all__ = [
    "evaluate", "selfish_mining_revenue", "selfish_mining_threshold", "selfish_mining_upper_bound",
    "selfish_mining_optimal_revenue", "selfish_mining_optimal", "double_spend_rosenfeld", "double_spend_give_up", "double_spend_nakamoto",
    "majority_expected_blocks", "majority_expected_depth",
]
