"""The researcher's loop in Python, as a new user meets it: temporary results cleaned up, the
simulation stopping with its Python process, errors of the right kind, describe as on the command
line, tables read in parts, shipped scenarios found from anywhere."""

import os
import signal
import subprocess
import sys
import time

import pytest

import dltsim
from conftest import SMALL


def test_a_result_without_out_is_removed_when_closed_or_collected(quickstart):
    r = dltsim.run(quickstart, overrides=SMALL)
    path = r.path
    assert os.path.exists(path)
    r.close()
    assert not os.path.exists(path)
    r = dltsim.run(quickstart, overrides=SMALL)
    path = r.path
    del r
    assert not os.path.exists(path)
    with dltsim.run(quickstart, overrides=SMALL) as r:
        path = r.path
        assert r.summary["blocks_produced"] >= 1
    assert not os.path.exists(path)


def test_a_result_with_out_is_kept(quickstart, tmp_path):
    out = tmp_path / "kept.h5"
    dltsim.run(quickstart, out=out, overrides=SMALL).close()
    assert out.exists()


def test_the_simulation_stops_when_python_dies(quickstart, tmp_path):
    code = ("import dltsim, sys; dltsim.run(sys.argv[1], out=sys.argv[2], "
            "overrides={'network.nodes': 3000, 'general.stop.blocks': 100000})")
    out = tmp_path / "long.h5"
    py = subprocess.Popen([sys.executable, "-c", code, quickstart, str(out)])
    deadline = time.monotonic() + 30
    child = None
    while time.monotonic() < deadline and child is None:
        ps = subprocess.run(["pgrep", "-P", str(py.pid)], capture_output=True, text=True).stdout.split()
        child = int(ps[0]) if ps else None
        time.sleep(0.1)
    assert child is not None, "the simulation process did not start"
    time.sleep(1)
    py.send_signal(signal.SIGKILL)
    py.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the simulation kept running after its Python process died")
    assert not out.exists()  # never a half-written file under the final name


def test_errors_say_what_kind_they_are(quickstart, tmp_path):
    with pytest.raises(dltsim.OutputError) as e:
        dltsim.run(quickstart, out=tmp_path / "missing-dir" / "x.h5", overrides=SMALL)
    assert not isinstance(e.value, dltsim.ScenarioError)
    with pytest.raises(dltsim.ScenarioError) as e:
        dltsim.run({"general": {"stop": {"blocks": 3}}, "network": {"nodes": "many"}})
    assert str(e.value).startswith("scenario dict: network.nodes:") and e.value.line == 0
    assert e.value.key_path == "network.nodes"
    not_h5 = tmp_path / "notes.h5"
    not_h5.write_text("not hdf5")
    with pytest.raises(ValueError, match="not an HDF5 file"):
        dltsim.load(not_h5)
    import h5py
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = [1, 2]
    with pytest.raises(ValueError, match="not a dltsim result file"):
        dltsim.load(tmp_path / "other.h5")


def test_describe_is_what_the_command_line_prints():
    exe = os.path.join(os.path.dirname(dltsim.__file__), "_bin", "dltsim")
    for name in ("nakamoto", "pbft", "selfish_mining", "crash", "bitcoin-2019"):
        cli = subprocess.run([exe, "describe", name], capture_output=True, text=True, check=True).stdout
        assert dltsim.describe(name)["text"] == cli
    assert sorted(dltsim.describe("crash")["protocols"]) == ["hotstuff", "pbft", "tendermint"]
    assert dltsim.describe("crash")["families"] == ["bft"]
    assert dltsim.describe("selfish_mining")["families"] == ["longest_chain"]
    assert dltsim.describe("praos")["family"] == "longest_chain"
    assert len(dltsim.describe("bitcoin-2019")["regions"]) == 6


def test_tables_by_column_and_row_range(quickstart, tmp_path):
    r = dltsim.run(quickstart, out=tmp_path / "t.h5", overrides=SMALL)
    whole = r.table("arrivals")
    part = r.table("arrivals", columns=["node", "delay_s"], rows=(10, 20))
    assert list(part.columns) == ["node", "delay_s"] and len(part) == 10
    assert (part.delay_s.to_numpy() == whole.delay_s.to_numpy()[10:20]).all()
    assert r.rows("arrivals") == len(whole)
    with pytest.raises(KeyError, match="no column"):
        r.table("arrivals", columns=["nope"])


def test_shipped_scenarios_are_found_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = dltsim.scenario("quickstart.yaml")
    assert os.path.isabs(path) and os.path.exists(path)
    assert dltsim.scenario("quickstart") == path
    assert "bitcoin-2019.yaml" in dltsim.scenarios()
    assert os.path.exists(dltsim.study_file("regression"))
    with pytest.raises(FileNotFoundError, match="shipped"):
        dltsim.scenario("nope.yaml")


def test_progress_reaches_a_callback_and_the_command_line_prints_plain_lines(quickstart, tmp_path):
    seen = []
    r = dltsim.run(quickstart, out=tmp_path / "p.h5", progress=seen.append,
                   overrides={"network.nodes": 3000, "general.stop.blocks": 30})
    assert r.complete and seen, "no progress reported"
    assert all(0 <= p["fraction"] <= 1 for p in seen) and seen[-1]["target_blocks"] == 30
    assert [p["wall_s"] for p in seen] == sorted(p["wall_s"] for p in seen)
    assert all(isinstance(p["in_flight"], int) and isinstance(p["draining"], bool) for p in seen)
    exe = os.path.join(os.path.dirname(dltsim.__file__), "_bin", "dltsim")
    cli = subprocess.run([exe, "run", quickstart, "-o", str(tmp_path / "c.h5"), "--progress", "plain",
                          "--progress-interval", "0.2", "--set", "network.nodes=3000", "--set",
                          "general.stop.blocks=30"], capture_output=True, text=True, check=True)
    lines = [l for l in cli.stderr.splitlines() if l.startswith("progress: ")]
    assert lines and "\r" not in cli.stderr and "target_blocks=30" in lines[-1]


def test_a_failing_progress_callback_stops_the_run_and_raises(quickstart, tmp_path):
    def boom(_):
        raise RuntimeError("enough")
    with pytest.raises(RuntimeError, match="enough"):
        # Long enough (minutes) that the first progress line, after 1 s, always comes before the end.
        dltsim.run(quickstart, out=tmp_path / "b.h5", progress=boom,
                   overrides={"network.nodes": 3000, "general.stop.blocks": 3000})
    assert not (tmp_path / "b.h5").exists()


def test_collect_indexes_loose_result_files(quickstart, tmp_path):
    for i, nodes in enumerate((120, 150)):
        dltsim.run(quickstart, out=tmp_path / f"r{i}.h5", seed=i + 1,
                   overrides={"network.nodes": nodes, "general.stop.blocks": 3}).close()
    (tmp_path / "sub").mkdir()
    dltsim.run(quickstart, out=tmp_path / "sub" / "r2.h5", overrides={"network.nodes": 130, "general.stop.blocks": 3,
                                                                      "consensus.params.block_size": "1 MB"}).close()
    (tmp_path / "notes.h5").write_text("not a result")
    df = dltsim.collect(tmp_path)
    assert len(df) == 3
    assert sorted(df["scenario.network.nodes"]) == [120, 130, 150]
    assert sorted(df["scenario.consensus.params.block_size"]) == [535000.0, 535000.0, 1e6]
    assert df.attrs["units"]["scenario.consensus.params.block_size"] == "bytes"
    assert (df["provenance.status"] == "complete").all() and (df["blocks_produced"] >= 3).all()
