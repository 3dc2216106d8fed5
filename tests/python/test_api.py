"""The Python API: run / load, DataFrames, errors, determinism, a dying child process."""

import filecmp
import os
import stat

import numpy as np
import pandas as pd
import pytest

import dltsim
from conftest import SMALL

SCENARIO_YAML = """
general: {seed: 4, stop: {blocks: 3}}
network: {preset: bitcoin-2019, nodes: 100}
consensus: {protocol: nakamoto}
"""


def test_run_and_load_round_trip(quickstart, tmp_path):
    out = tmp_path / "q.h5"
    r = dltsim.run(quickstart, seed=5, out=out, overrides=SMALL)
    assert r.complete and os.path.exists(out)
    assert {"blocks", "arrivals", "nodes", "messages", "miners", "regions", "reorgs", "reorg_depths"} <= set(r.tables)
    again = dltsim.load(out)
    same = lambda a, b: a == b or (isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b))
    assert again.summary.keys() == r.summary.keys()
    assert all(same(again.summary[k], r.summary[k]) for k in r.summary)
    # Every summary value is documented; undefined ones say why.
    assert set(r.summary_docs) == set(r.summary)
    assert r.summary_units["propagation_p50_s"] == "s"
    assert all(k in r.summary_notes for k, v in r.summary.items() if isinstance(v, float) and np.isnan(v))
    assert again.provenance["seed"] == 5
    assert again.scenario["network"]["nodes"] == 150
    assert r.summary["blocks_produced"] == 4
    assert len(r.blocks) == 4
    assert len(r.arrivals) == r.summary["arrivals"]


def test_dataframe_columns_and_types(quickstart, tmp_path):
    r = dltsim.run(quickstart, out=tmp_path / "t.h5", overrides=SMALL)
    blocks = r.blocks
    assert isinstance(blocks, pd.DataFrame)
    assert list(blocks.columns) == ["id", "parent", "height", "miner", "time_s", "size_bytes", "on_main_chain",
                                    "arrivals", "reach50_s", "reach90_s", "reach100_s"]
    assert blocks.id.dtype == np.uint32 and blocks.time_s.dtype == np.float64
    assert r.arrivals.delay_s.dtype == np.float64 and (r.arrivals.delay_s > 0).all()
    assert r.nodes.region.dtype == np.uint16 and len(r.nodes) == 150
    assert r.messages.type.dtype == object and set(r.messages.type) >= {"inv", "getdata", "cmpctblock"}
    assert r.regions.name.tolist() == ["NA", "EU", "SA", "AP", "JP", "AU"]
    assert r.units("arrivals") == {"time_s": "s", "delay_s": "s"}
    assert "production time" in r.docs("blocks")["time_s"]
    assert r.table("blocks") is r.blocks  # cached


def test_scenario_as_string_and_dict(tmp_path):
    r1 = dltsim.run(SCENARIO_YAML, out=tmp_path / "s.h5")
    assert r1.summary["blocks_produced"] == 3
    as_dict = dltsim.validate(SCENARIO_YAML)
    assert as_dict["network"]["nodes"] == 100
    r2 = dltsim.run(as_dict, out=tmp_path / "d.h5")
    assert r2.summary["blocks_produced"] == 3
    assert r2.summary["propagation_p50_s"] == r1.summary["propagation_p50_s"]  # same seed, same scenario


def test_bad_scenario_raises_with_key_path_and_line(quickstart, tmp_path):
    with pytest.raises(dltsim.ScenarioError) as e:
        dltsim.run(SCENARIO_YAML.replace("nodes: 100", "nodes: -1"), out=tmp_path / "x.h5")
    assert e.value.key_path == "network.nodes"
    assert e.value.line == 3
    assert "must be in [1, 1e+06]" in e.value.detail
    assert not os.path.exists(tmp_path / "x.h5")
    with pytest.raises(dltsim.ScenarioError) as e:
        dltsim.validate(quickstart, overrides={"consensus.params.block_size": "big"})
    assert e.value.key_path == "consensus.params.block_size"
    assert e.value.source.startswith("--set consensus.params.block_size=big")
    with pytest.raises(dltsim.ScenarioError) as e:
        dltsim.validate({"general": {"stop": {"blocks": 5}}, "network": {"nodes": 5, "preset": "mars"},
                         "consensus": {"protocol": "nakamoto"}})
    assert e.value.key_path == "network.preset" and "bitcoin-2019" in e.value.detail
    with pytest.raises(FileNotFoundError):
        dltsim.run("no/such/scenario.yaml")
    with pytest.raises(TypeError):
        dltsim.run(42)


def test_determinism_through_python(quickstart, tmp_path):
    a = dltsim.run(quickstart, seed=9, out=tmp_path / "a.h5", overrides=SMALL)
    b = dltsim.run(quickstart, seed=9, out=tmp_path / "b.h5", overrides=SMALL)
    c = dltsim.run(quickstart, seed=10, out=tmp_path / "c.h5", overrides=SMALL)
    assert filecmp.cmp(a.path, b.path, shallow=False)
    assert not filecmp.cmp(a.path, c.path, shallow=False)
    # A scenario given as a dict goes through a temporary file: still byte-identical.
    as_dict = dltsim.validate(SCENARIO_YAML)
    d1 = dltsim.run(as_dict, seed=3, out=tmp_path / "d1.h5")
    d2 = dltsim.run(as_dict, seed=3, out=tmp_path / "d2.h5")
    assert filecmp.cmp(d1.path, d2.path, shallow=False)


def _fake_executable(tmp_path, body):
    exe = tmp_path / "fake-dltsim"
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return str(exe)


def test_a_crashing_child_is_reported_cleanly(quickstart, tmp_path):
    exe = _fake_executable(tmp_path, 'echo "about to crash" >&2\nkill -SEGV $$')
    with pytest.raises(dltsim.SimulationError) as e:
        dltsim.run(quickstart, out=tmp_path / "c.h5", _executable_path=exe)
    assert e.value.signal == 11 and "SIGSEGV" in str(e.value) and "about to crash" in e.value.stderr
    exe = _fake_executable(tmp_path, 'echo "dltsim: internal error: boom" >&2\nexit 1')
    with pytest.raises(dltsim.SimulationError) as e:
        dltsim.run(quickstart, out=tmp_path / "c.h5", _executable_path=exe)
    assert e.value.returncode == 1 and "boom" in str(e.value)


def test_registries_and_theory():
    names = [p["name"] for p in dltsim.protocols()]
    assert "nakamoto" in names
    nakamoto = dltsim.describe("nakamoto")
    interval = next(p for p in nakamoto["params"] if p["name"] == "block_interval")
    assert interval["unit"] == "s" and interval["default"] == "600 s"
    assert {a["name"] for a in dltsim.attacks()} >= {"selfish_mining", "double_spending", "majority"}
    assert dltsim.presets()[0]["name"] == "bitcoin-2019"
    with pytest.raises(KeyError):
        dltsim.describe("nope")
    # The closed forms are the C++ registry's: one function per entry, the registry's parameter names.
    assert set(dltsim.theory.names()) == {t["name"] for t in dltsim.theories()}
    assert dltsim.theory.selfish_mining(alpha=1 / 3, gamma=0)["revenue_sm1"] == pytest.approx(1 / 3)
    assert dltsim.theory.double_spending(q=0.1, confirmations=1)["success_rosenfeld"] == pytest.approx(0.2)
    assert dltsim.theory.majority(alpha=0.6, depth=6)["expected_depth"] > 0
    by_name = dltsim.theory.evaluate("selfish_mining", alpha=0.35, gamma=0.5)
    assert by_name["revenue_sm1"] == pytest.approx(dltsim.theory.selfish_mining(alpha=0.35, gamma=0.5)["revenue_sm1"])
    optimal = dltsim.theory.selfish_mining_optimal(alpha=0.35, gamma=0.5)
    assert by_name["revenue_sm1"] <= optimal["revenue_optimal"] <= by_name["upper_bound"]
    import inspect
    sig = inspect.signature(dltsim.theory.double_spending)
    assert list(sig.parameters) == ["q", "confirmations", "give_up_deficit", "premine"]
    assert sig.parameters["confirmations"].default == 6 and "Rosenfeld" in dltsim.theory.double_spending.__doc__
    with pytest.raises(ValueError, match="unknown parameter 'q'; allowed: alpha, depth"):
        dltsim.theory.majority(q=0.6)  # the registry says alpha
    with pytest.raises(ValueError, match="alpha"):
        dltsim.theory.majority(alpha=1.5)


def test_input_errors_found_once_the_network_exists_are_located(tmp_path):
    # Well-formed, but with 25 nodes the 0.9 % South American share rounds to no node at all: the
    # validator builds the network as a run would, and names the line of the selection.
    bad = (SCENARIO_YAML.replace("nodes: 100", "nodes: 25")
           + "attacks:\n  - attack: selfish_mining\n    nodes: {region: SA}\n")
    with pytest.raises(dltsim.ScenarioError) as e:
        dltsim.validate(bad)
    assert e.value.line == 7 and e.value.key_path == "attacks[0].nodes"
    assert "selects no node: region 'SA' has no node among the 25" in str(e.value)
    with pytest.raises(dltsim.ScenarioError):
        dltsim.run(bad, out=tmp_path / "g.h5")
    assert not list(tmp_path.iterdir())  # nothing written, not even a temporary file


def test_ctrl_c_keeps_what_was_recorded(tmp_path):
    # A Python process running a long simulation gets Ctrl-C from its terminal (SIGINT to the whole
    # process group): the child must save an .incomplete.h5 and Python must raise KeyboardInterrupt.
    import signal
    import subprocess
    import sys
    import time
    script = f'''
import dltsim, os
try:
    dltsim.run({os.path.join(os.path.dirname(__file__), "..", "..", "scenarios", "bitcoin-2019.yaml")!r},
               out={str(tmp_path / "long.h5")!r}, overrides={{"network.nodes": 3000, "general.stop.blocks": 100000}})
    print("finished")
except KeyboardInterrupt:
    print("interrupted")
'''
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env=dict(os.environ))
    time.sleep(4)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert out.strip() == "interrupted", err
    assert not (tmp_path / "long.h5").exists()
    r = dltsim.load(tmp_path / "long.incomplete.h5")
    assert not r.complete and len(r.arrivals) > 0


# Aliases that refer to themselves, an alias bomb (9^12 leaves if expanded) and deep nesting.
SELF_ALIAS = "general: &a [1, *a]\n"
ALIAS_BOMB = "a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 13))
DEEP = "a: " + "[" * 600 + "]" * 600 + "\n"


def test_reading_hostile_yaml_never_crashes_or_explodes():
    from dltsim import _dltsim
    with pytest.raises(ValueError, match="refers to a node that contains it"):
        _dltsim.yaml_to_python(SELF_ALIAS)
    with pytest.raises(ValueError, match="nests deeper than"):
        _dltsim.yaml_to_python(DEEP)
    bomb = _dltsim.yaml_to_python(ALIAS_BOMB)  # shared references, not copies: instant and small
    assert bomb["a12"][0] is bomb["a11"] and len(bomb["a0"]) == 9
    with pytest.raises(ValueError, match="mapping key is not a scalar"):
        _dltsim.yaml_to_python("{[1]: 2}")


def test_a_result_file_with_hostile_embedded_yaml_reads_safely(quickstart, tmp_path):
    import h5py
    out = tmp_path / "q.h5"
    dltsim.run(quickstart, out=out, overrides=SMALL)
    for text in (SELF_ALIAS, DEEP):
        with h5py.File(out, "r+") as f:
            del f["provenance/effective_yaml"]
            f["provenance/effective_yaml"] = np.bytes_(text)
        r = dltsim.load(out)  # loading itself never parses the YAML
        assert r.summary["blocks_produced"] == 4
        with pytest.raises(ValueError, match="effective_yaml cannot be read"):
            r.scenario


def test_a_bad_output_path_is_refused_before_the_run(quickstart, tmp_path):
    for out, why in ((tmp_path, "is a directory"), ("/dev/null", "is a character device"),
                     (str(tmp_path) + "/", "ends with '/'"), (tmp_path / "no" / "x.h5", "does not exist")):
        with pytest.raises(ValueError, match=why):
            dltsim.run(quickstart, out=out, overrides=SMALL)
    assert not list(tmp_path.iterdir())


def test_a_setting_without_effect_is_a_located_warning(quickstart):
    with pytest.warns(dltsim.ScenarioWarning, match=r"consensus\.params\.tie_gamma: has no effect unless tie_break is gamma"):
        dltsim.validate(quickstart, overrides={"consensus.params.tie_gamma": 0.9})
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dltsim.validate(quickstart, overrides={"consensus.params.tie_gamma": 0.9, "consensus.params.tie_break": "gamma"})
