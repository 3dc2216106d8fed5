"""Studies through the command line (`dltsim study ...`), as a user runs them:

1. validate expands a grid, a zip and explicit points; bad study files fail with file:line:column,
   the key and the allowed values (exit 2).
2. run (local processes) runs every (point, replication), collects study.h5 (runs and points
   tables); a second run runs nothing (cached), a deleted result reruns alone, collecting twice
   gives the same bytes.
3. A run over its time limit is reported with its status, the others finish, exit 1.
4. Python: load_study gives the tables as DataFrames and a grid as an xarray Dataset; the points'
   statistics are the mean and standard error of the runs.
5. check: a study against itself passes; against a baseline whose mean moved by 10 standard errors
   it fails (exit 1) and names the value.
6. Dask: the same study on a local Dask cluster (--dask), and on a running scheduler with two
   workers started as separate processes on loopback (dask-scheduler, dask-worker; --scheduler),
   gives the same values as the local run.
8. Ctrl-C during a study: exit 130, finished runs kept and not run again, the interrupted one
   never taken as done.
7. SLURM: a real single-node SLURM (scripts/slurm-local.sh: Debian's slurm-wlm and munge) runs the
   study as a job array of 3 tasks; collect then gives the same values as the local run.
"""

import filecmp
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import ARGS, check, dltsim, done, workdir  # noqa: E402

d = workdir()
QUICK = os.path.abspath(os.path.join(ARGS.scenarios, "quickstart.yaml"))


def write(name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def study(name, axes, extra=""):
    return write(name, f"""study: {name.split('.')[0]}
base: {QUICK}
seed: 3
replications: 2
set: {{network.nodes: 60, general.stop.blocks: 4}}
axes:
{axes}
metrics: [stale_rate, propagation_p50_s, blocks_main]
{extra}""")


# 1. validate.
grid = study("grid.yaml", "  grid:\n    consensus.params.block_size: [\"100 KB\", \"1 MB\"]\n    network.nodes: [40, 60]")
r = dltsim("study", "validate", grid)
check(r.returncode == 0 and "4 point(s) x 2 replication(s) = 8 run(s)" in r.stdout, f"grid of 2 x 2: {r.stdout.splitlines()[0]}")
zipped = study("zip.yaml", "  zip:\n    consensus.params.block_size: [\"100 KB\", \"1 MB\"]\n    network.nodes: [40, 60]")
r = dltsim("study", "validate", zipped)
check("2 point(s)" in r.stdout
      and "point 1 [block_size=1 MB, nodes=60]: consensus.params.block_size=1 MB, network.nodes=60" in r.stdout,
      f"zip pairs the lists, and each point has a short label: {r.stdout.splitlines()[-1]}")
bad_cases = [
    ("unknown.yaml", "study: x\nbase: " + QUICK + "\nreplicatons: 3\n", ":3:1: replicatons: unknown key; allowed: study, base"),
    ("zip-len.yaml", "base: " + QUICK + "\naxes:\n  zip:\n    network.nodes: [1, 2]\n    general.seed: [1]\n",
     ":4:5: axes.zip: lists of different lengths"),
    ("dup.yaml", "base: " + QUICK + "\nseed: 1\nseed: 2\n", ":3:1: seed: duplicate key (first at line 2)"),
    ("badvalue.yaml", "base: " + QUICK + "\naxes:\n  grid:\n    network.contention: [none, sometimes]\n",
     ":4:32: point 1 {\"network.contention\": \"sometimes\"}"),
    ("nobase.yaml", "seed: 1\n", "no scenario: give base"),
    ("reps.yaml", "base: " + QUICK + "\nreplications: 0\n", ":2:15: replications: expected an integer in [1, 100000]"),
]
for name, text, expected in bad_cases:
    r = dltsim("study", "validate", write(name, text), check=False)
    check(r.returncode == 2 and expected in r.stderr, f"{name}: exit {r.returncode}, {r.stderr.strip()[:160]!r}")

# 2. run locally, cache, rerun what is missing.
out = os.path.join(d, "grid-out")
r = dltsim("study", "run", grid, "--output", out, "-j", "2", "--no-progress", check=False)
check(r.returncode == 0 and "8 of 8 runs ok" in r.stdout, f"study run: exit {r.returncode}, {r.stdout.strip()}")
study_h5 = os.path.join(out, "study.h5")
runs_dir = os.path.join(out, "runs")
results = sorted(f for f in os.listdir(runs_dir) if f.endswith(".h5"))
check(len(results) == 8, f"8 run files ({len(results)})")
mtimes = {f: os.stat(os.path.join(runs_dir, f)).st_mtime_ns for f in results}
r = dltsim("study", "run", grid, "--output", out, check=False)
check(r.returncode == 0 and "8/8 done (8 cached)" in r.stderr
      and all(os.stat(os.path.join(runs_dir, f)).st_mtime_ns == t for f, t in mtimes.items()),
      f"second run: nothing runs again ({r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''})")
os.remove(os.path.join(runs_dir, results[3]))
r = dltsim("study", "run", grid, "--output", out, check=False)
check(r.returncode == 0 and "8/8 done (7 cached)" in r.stderr and os.path.exists(os.path.join(runs_dir, results[3])),
      "a deleted result runs again, alone")
shutil.copy(study_h5, os.path.join(d, "first.h5"))
dltsim("study", "collect", grid, "--output", out)
check(filecmp.cmp(study_h5, os.path.join(d, "first.h5"), shallow=False), "collecting twice: the same bytes")

# 3. A run over its time limit.
slow = study("slow.yaml", "  points:\n    - {network.nodes: 60}\n    - {network.nodes: 3000, general.stop.blocks: 200}",
             'run_timeout: "1 s"\n')
r = dltsim("study", "run", slow, "--output", os.path.join(d, "slow-out"), "--no-progress", check=False)
check(r.returncode == 1 and "2 of 4 runs ok" in r.stdout and "timeout" in r.stderr,
      f"runs over the limit are reported, the others finish: exit {r.returncode}, {r.stdout.strip()}")
with h5py.File(os.path.join(d, "slow-out", "study.h5"), "r") as f:
    statuses = [s.decode() if isinstance(s, bytes) else s for s in f["runs"]["status"]]
check(statuses == ["ok", "ok", "timeout", "timeout"], f"runs table statuses {statuses}")

# 4. Python.
code = f"""
import numpy as np, dltsim
s = dltsim.load_study({study_h5!r})
runs, points = s.runs, s.points
assert len(runs) == 8 and (runs.status == "ok").all(), runs
sel = runs[runs.point == 2]
p = points[(points.point == 2) & (points.metric == "propagation_p50_s")].iloc[0]
assert abs(p["mean"] - sel.propagation_p50_s.mean()) < 1e-12
assert abs(p["se"] - sel.propagation_p50_s.std(ddof=1) / np.sqrt(2)) < 1e-12
ds = s.dataset()
assert dict(ds.sizes) == {{"consensus.params.block_size": 2, "network.nodes": 2}}, ds.sizes
assert "stale_rate" in ds and "stale_rate_se" in ds
try:
    dltsim.load_study({os.path.join(runs_dir, results[0])!r})
    raise SystemExit("a run file read as a study")
except ValueError as e:
    assert "not a dltsim study file" in str(e)
print("ok")
"""
env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(ARGS.dltsim), "python"))
r = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True, env=env)
check(r.returncode == 0 and r.stdout.strip() == "ok", f"load_study: {r.stderr.strip()[-300:]}")

# 5. check.
r = dltsim("study", "check", study_h5, "--baseline", study_h5, check=False)
check(r.returncode == 0 and "0 moved" in r.stdout, f"a study against itself: {r.stdout.strip().splitlines()[-1]}")
moved = os.path.join(d, "moved.h5")
shutil.copy(study_h5, moved)
with h5py.File(moved, "r+") as f:
    pts = f["points"][()]
    i = next(j for j, row in enumerate(pts) if row["metric"] in (b"propagation_p50_s", "propagation_p50_s")
             and row["point"] == 1)
    pts["mean"][i] += 10 * pts["se"][i] * np.sqrt(2)
    f["points"][...] = pts
r = dltsim("study", "check", study_h5, "--baseline", moved, check=False)
check(r.returncode == 1 and "MOVED" in r.stdout and "propagation_p50_s" in r.stdout and "1 moved" in r.stdout,
      f"a mean moved by 10 SE fails the check: exit {r.returncode}\n{r.stdout}")

# 6. Dask.
dask_out = os.path.join(d, "dask-out")
r = dltsim("study", "run", grid, "--output", dask_out, "--dask", "-j", "2", "--no-progress", check=False)
check(r.returncode == 0 and "8 of 8 runs ok" in r.stdout, f"study on a local Dask cluster: {r.stdout.strip()} {r.stderr[-300:]}")
with h5py.File(study_h5, "r") as a, h5py.File(os.path.join(dask_out, "study.h5"), "r") as b:
    same = all(np.array_equal(a["runs"][m], b["runs"][m], equal_nan=True)
               for m in ("stale_rate", "propagation_p50_s", "blocks_main", "seed"))
check(same, "Dask and local processes: the same values, run by run")

# 6b. An existing scheduler with its workers, as on a cluster.
import socket  # noqa: E402
import time  # noqa: E402
with socket.socket() as sock:
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
address = f"tcp://127.0.0.1:{port}"
env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(ARGS.dltsim), "python"))
daemons = [subprocess.Popen(["dask-scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
time.sleep(2)
for _ in range(2):
    daemons.append(subprocess.Popen(["dask-worker", address, "--nthreads", "1", "--no-dashboard"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
try:
    sched_out = os.path.join(d, "scheduler-out")
    r = dltsim("study", "run", grid, "--output", sched_out, "--scheduler", address, "--no-progress", check=False,
               timeout=300)
    check(r.returncode == 0 and "8 of 8 runs ok" in r.stdout,
          f"study on a running scheduler with 2 workers: {r.stdout.strip()} {r.stderr[-300:]}")
    with h5py.File(study_h5, "r") as a, h5py.File(os.path.join(sched_out, "study.h5"), "r") as b:
        same = all(np.array_equal(a["runs"][m], b["runs"][m], equal_nan=True)
                   for m in ("stale_rate", "propagation_p50_s", "blocks_main", "seed"))
    check(same, "scheduler and local processes: the same values, run by run")
finally:
    for p in reversed(daemons):
        p.terminate()
        p.wait(timeout=30)

# 8. Ctrl-C.
import signal  # noqa: E402
import time  # noqa: E402
slowish = study("ctrlc.yaml", "  points:\n    - {network.nodes: 1500, general.stop.blocks: 15}")
ctrlc_out = os.path.join(d, "ctrlc-out")
with open(slowish) as f:
    text = f.read().replace("replications: 2", "replications: 4")
with open(slowish, "w") as f:
    f.write(text)
proc = subprocess.Popen([ARGS.dltsim, "study", "run", slowish, "--output", ctrlc_out, "-j", "1", "--no-progress"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
runs_ctrlc = os.path.join(ctrlc_out, "runs")
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    done_now = [f for f in os.listdir(runs_ctrlc) if f.endswith(".h5") and "incomplete" not in f] \
        if os.path.isdir(runs_ctrlc) else []
    if len(done_now) >= 1:
        break
    time.sleep(0.05)
time.sleep(0.2)
proc.send_signal(signal.SIGINT)
out_text, err_text = proc.communicate(timeout=60)
kept = sorted(f for f in os.listdir(runs_ctrlc) if f.endswith(".h5") and "incomplete" not in f)
partial = [f for f in os.listdir(runs_ctrlc) if ".partial" in f]
check(proc.returncode == 130 and 1 <= len(kept) < 4 and not partial,
      f"Ctrl-C: exit {proc.returncode}, {len(kept)} finished runs kept, no partial file ({err_text.strip()[-200:]})")
r = dltsim("study", "run", slowish, "--output", ctrlc_out, "-j", "1", check=False)
check(r.returncode == 0 and f"4/4 done ({len(kept)} cached)" in r.stderr,
      f"rerun after Ctrl-C runs only the rest: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.stdout}")

# 9. Readable results: point labels, an attack switched off as one axis value (same seeds), a
# derived metric, intervals inside each metric's support, units and docs, constants marked.
SM = os.path.abspath(os.path.join(ARGS.scenarios, "selfish-mining-idealised.yaml"))
readable = write("readable.yaml", f"""study: readable
base: {SM}
seed: 2
replications: 3
set: {{general.stop.blocks: 2000}}
axes:
  points:
    - {{label: attacked, "attacks[0].enabled": true}}
    - {{label: control, "attacks[0].enabled": false}}
metrics: [stale_rate, blocks_stale, blocks_main, blocks_produced, selfish_mining_revenue, no_such_key]
derived:
  stale_per_main: {{expr: "blocks_stale / blocks_main", doc: "stale blocks per main-chain block", support: non-negative}}
""")
r = dltsim("study", "validate", readable)
check("point 1 [control]: attacks[0].enabled=false" in r.stdout and "derived stale_per_main = blocks_stale / blocks_main" in r.stdout,
      f"validate shows labels and the derived metric: {r.stdout.strip().splitlines()[1:]}")
r = dltsim("study", "run", readable, "--output", os.path.join(d, "readable-out"), "--no-progress", check=False)
check(r.returncode == 0 and "6 of 6 runs ok" in r.stdout and "metric 'no_such_key' is in no run's summary" in r.stderr,
      f"the study runs; a metric no run has is named: {r.stdout.strip()} {r.stderr.strip()[-160:]}")
code = f"""
import math, numpy as np, dltsim
s = dltsim.load_study({os.path.join(d, "readable-out", "study.h5")!r})
p = s.points.set_index(["label", "metric"])
assert s.labels == ["attacked", "control"], s.labels
assert list(s.runs.label.unique()) == ["attacked", "control"]
assert s.runs["attacks[0].enabled"].tolist() == ["true"] * 3 + ["false"] * 3, s.runs["attacks[0].enabled"].tolist()
attacked = s.runs[s.runs.label == "attacked"]
assert abs(p.loc[("attacked", "stale_per_main"), "mean"] - (attacked.blocks_stale / attacked.blocks_main).mean()) < 1e-12
# The control has the attacked runs' seeds and no selfish pool: no stale block, no revenue key.
assert s.runs.seed[:3].tolist() == s.runs.seed[3:].tolist()
assert p.loc[("control", "blocks_stale"), "mean"] == 0 and p.loc[("control", "selfish_mining_revenue"), "count"] == 0
# Intervals inside the support: a proportion of zeros gets Wilson's (not [0, 0]); counts stay >= 0.
c = p.loc[("control", "stale_rate")]
assert c["interval"] == "wilson" and c["ci95_low"] == 0 and 0.4 < c["ci95_high"] < 0.6, c
a = p.loc[("attacked", "stale_rate")]
assert a["interval"] == "student-t within [0, 1]" and 0 <= a["ci95_low"] <= a["mean"] <= a["ci95_high"] <= 1, a
assert p.loc[("attacked", "blocks_stale"), "interval"] == "student-t within [0, inf)"
assert (s.points.ci95_low.dropna() >= 0).all()
info = s.metric_info.set_index("metric")
assert info.loc["blocks_main", "unit"] == "blocks" and info.loc["blocks_main", "support"] == "non-negative"
assert info.loc["stale_rate", "support"] == "proportion" and "stale blocks" in info.loc["stale_rate", "doc"]
assert info.loc["blocks_produced", "constant"] == 1 and info.loc["blocks_main", "constant"] == 0
assert info.loc["stale_per_main", "derived"] == "blocks_stale / blocks_main"
assert s.timings is not None and len(s.timings) == 6 and (s.timings.wall_s > 0).all()
print("ok")
"""
env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(ARGS.dltsim), "python"))
r = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True, env=env)
check(r.returncode == 0 and r.stdout.strip() == "ok", f"labels, switched-off control, derived metric, intervals: {r.stderr.strip()[-400:]}")
code = f"""
import dltsim
s = dltsim.load_study({study_h5!r})
assert str(s.runs["network.nodes"].dtype) == "int64", s.runs.dtypes
print("ok")
"""
r = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True, env=env)
check(r.returncode == 0 and r.stdout.strip() == "ok", f"an integer axis is integers: {r.stderr.strip()[-300:]}")
r = dltsim("study", "--help")
check("==SUPPRESS==" not in r.stdout and "worker" not in r.stdout, "study --help lists the four commands only")

# 7. SLURM.
slurm_script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "slurm-local.sh")
r = subprocess.run(["bash", slurm_script], capture_output=True, text=True)
check(r.returncode == 0 and "SLURM_CONF=" in r.stdout, f"single-node SLURM up: {r.stderr.strip()[-300:]}")
if r.returncode == 0:
    os.environ["SLURM_CONF"] = r.stdout.strip().split("=", 1)[1]
    slurm_out = os.path.join(d, "slurm-out")
    r = dltsim("study", "run", grid, "--output", slurm_out, "--slurm", "--slurm-tasks", "3", check=False)
    job = r.stdout.split("job array ")[1].split()[0] if "job array " in r.stdout else ""
    check(r.returncode == 0 and job, f"submitted: {r.stdout.strip()} {r.stderr.strip()[-300:]}")
    deadline = time.monotonic() + 300
    while job and time.monotonic() < deadline:
        q = subprocess.run(["squeue", "-h", "-j", job], capture_output=True, text=True)
        if q.returncode == 0 and not q.stdout.strip():
            break
        time.sleep(1)
    logs = sorted(os.listdir(os.path.join(slurm_out, "slurm")))
    check(sum(f.endswith(".out") for f in logs) == 3, f"3 array tasks ran: {logs}")
    r = dltsim("study", "collect", grid, "--output", slurm_out, check=False)
    check(r.returncode == 0 and "8 of 8 runs ok" in r.stdout, f"collect after the job array: {r.stdout.strip()}")
    with h5py.File(study_h5, "r") as a, h5py.File(os.path.join(slurm_out, "study.h5"), "r") as b:
        same = all(np.array_equal(a["runs"][m], b["runs"][m], equal_nan=True)
                   for m in ("stale_rate", "propagation_p50_s", "blocks_main", "seed"))
    check(same, "SLURM and local processes: the same values, run by run")
    subprocess.run(["bash", slurm_script, "stop"], capture_output=True)
done()
