import os

import pytest

SCENARIOS = os.path.join(os.path.dirname(__file__), "..", "..", "scenarios")


@pytest.fixture
def quickstart():
    return os.path.join(SCENARIOS, "quickstart.yaml")


# A small, fast variant of the quickstart scenario.
SMALL = {"network.nodes": 150, "general.stop.blocks": 4}
