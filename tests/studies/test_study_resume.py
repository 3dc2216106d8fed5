"""No lost work in studies, tried for real: a run is killed in the middle (a Dask worker SIGKILLed, a
SLURM task cancelled or SIGKILLed as on node loss), two `study run` processes share one study, and
run files are damaged (truncated, not HDF5, from another dltsim version). Each time the run is
recorded with its cause and never as done, no half-written file is collected, `study run` again
runs exactly what is missing, and the final study.h5 has the same bytes as an uninterrupted study.
"""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import ARGS, check, dltsim, done, workdir  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(os.path.dirname(os.path.abspath(ARGS.dltsim)), "python")
QUICK = os.path.abspath(os.path.join(ARGS.scenarios, "quickstart.yaml"))
d = workdir()
ENV = dict(os.environ, PYTHONPATH=PACKAGE)

study = os.path.join(d, "resume.yaml")
with open(study, "w") as f:  # 4 runs of 2 to 3 s each
    f.write(f"""study: resume
base: {QUICK}
seed: 5
replications: 2
set: {{general.stop.blocks: 100}}
axes:
  grid:
    network.nodes: [1500, 2000]
metrics: [stale_rate, propagation_p50_s, blocks_main]
""")


def run_study(out, *extra, check_rc=None, timeout=600):
    r = dltsim("study", "run", study, "--output", out, "--no-progress", *extra, check=False, timeout=timeout)
    if check_rc is not None and r.returncode != check_rc:
        print(r.stdout, r.stderr)
    return r


def same_bytes(out):
    with open(os.path.join(out, "study.h5"), "rb") as a, open(os.path.join(reference, "study.h5"), "rb") as b:
        return a.read() == b.read()


def status_of(out, key):
    """The status study.h5 gives a run."""
    with h5py.File(os.path.join(out, "study.h5"), "r") as f:
        runs = f["runs"][()]
    return next(r["status"].decode() for r in runs if r["key"].decode() == key)


def running_key(out, timeout=120):
    """(key, pid of its dltsim process) of a run marked running whose simulation is alive, once there is one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in glob.glob(os.path.join(out, "runs", "*.json")):
            try:
                with open(path) as f:
                    st = json.load(f)
            except (OSError, ValueError):
                continue
            pid = child_of(st["key"]) if st.get("status") == "running" else None
            if pid:
                return st["key"], pid
        time.sleep(0.02)
    return None, None


def child_of(key):
    """pid of the dltsim process running a key, or None."""
    for proc in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(proc, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if len(argv) > 2 and argv[1] == b"run" and argv[2].endswith(f"{key}.yaml".encode()):
            return int(proc.split("/")[2])
    return None


def parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def gone(pid, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z":
            return True
        time.sleep(0.05)
    return False


# The reference: the study run once, uninterrupted.
reference = os.path.join(d, "reference")
r = run_study(reference, "-j", "2")
check(r.returncode == 0 and "4 of 4 runs ok" in r.stdout, f"reference study: {r.stdout.strip()} {r.stderr[-200:]}")
r = run_study(os.path.join(d, "reference-again"), "-j", "1")
check(same_bytes(os.path.join(d, "reference-again")), "the same study run again elsewhere: the same study.h5 bytes")

# 1. Dask: a worker SIGKILLed in the middle of a run, with the scheduler giving up on the task at once
# (allowed-failures 0, as after Dask's retries): recorded failed with the cause, rerun, same bytes.
with socket.socket() as sock:
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
address = f"tcp://127.0.0.1:{port}"
dask_env = dict(ENV, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0")
daemons = [subprocess.Popen(["dask-scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dask_env)]


def worker():
    p = subprocess.Popen(["dask-worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dask_env)
    daemons.append(p)
    return p


try:
    time.sleep(2)
    first = worker()
    dask_out = os.path.join(d, "dask")
    study_proc = subprocess.Popen([ARGS.dltsim, "study", "run", study, "--output", dask_out, "--scheduler", address,
                                   "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    key, child = running_key(dask_out)
    check(key is not None and child is not None and parent_of(child) == first.pid,
          f"a run is in progress on the worker (run {key}, dltsim pid {child})")
    first.send_signal(signal.SIGKILL)
    check(child is not None and gone(child), "the worker's simulation stops with it (no orphan left running)")
    worker()  # the cluster goes on with a fresh worker
    out_text, err_text = study_proc.communicate(timeout=300)
    # Dask fails the killed run, and those it had queued on the same worker, with KilledWorker.
    failed = int(out_text.split(" runs ok, ")[1].split(" failed")[0]) if " failed" in out_text else 0
    check(study_proc.returncode == 1 and failed >= 1 and status_of(dask_out, key) == "failed",
          f"the study ends with the killed run failed: exit {study_proc.returncode}, {out_text.strip()}")
    check(f"run {key}" in err_text and "KilledWorker" in err_text, f"its cause is named: {err_text.strip()[-300:]}")
    check(not os.path.exists(os.path.join(dask_out, "runs", f"{key}.h5")), "no result file for the killed run")
    with open(os.path.join(dask_out, "timings.csv")) as f:
        timing = f.read()
    check("KilledWorker" in timing, "timings.csv records the cause")
    before = {p: os.stat(p).st_mtime_ns for p in glob.glob(os.path.join(dask_out, "runs", "*.h5"))}
    r = run_study(dask_out, "--scheduler", address, timeout=300)
    after = {p: os.stat(p).st_mtime_ns for p in glob.glob(os.path.join(dask_out, "runs", "*.h5"))}
    check(r.returncode == 0 and "4 of 4 runs ok" in r.stdout and len(before) == 4 - failed and len(after) == 4
          and all(after[p] == t for p, t in before.items()),
          f"study run again runs the {failed} failed runs only: {r.stdout.strip()} {r.stderr.strip()[-120:]}")
    check(same_bytes(dask_out), "Dask, killed and resumed: the same study.h5 bytes as uninterrupted")
finally:
    for p in reversed(daemons):
        p.kill()
        p.wait(timeout=30)

# 2. A local Dask cluster (--dask): a worker process SIGKILLed mid-run; its nanny restarts it and Dask
# runs the task again. The study completes with the same bytes.
local_out = os.path.join(d, "dask-local")
study_proc = subprocess.Popen([ARGS.dltsim, "study", "run", study, "--output", local_out, "--dask", "-j", "2",
                               "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
key, child = running_key(local_out)
if child:
    os.kill(parent_of(child), signal.SIGKILL)
out_text, err_text = study_proc.communicate(timeout=300)
check(child is not None and gone(child), "the killed worker's simulation stopped")
check(study_proc.returncode == 0 and "4 of 4 runs ok" in out_text and same_bytes(local_out),
      f"--dask with a worker killed: retried, complete, the same bytes ({out_text.strip()} {err_text.strip()[-200:]})")

# 3. Two study runs at once on one study: they share the runs (a lock per run), each run once.
shared = os.path.join(d, "shared")
procs = [subprocess.Popen([ARGS.dltsim, "study", "run", study, "--output", shared, "-j", "1", "--no-progress"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
outs = [p.communicate(timeout=300) for p in procs]
pids = {}
for path in glob.glob(os.path.join(shared, "runs", "*.json")):
    with open(path) as f:
        st = json.load(f)
    pids[st["key"]] = st.get("pid")
check(all(p.returncode == 0 for p in procs) and all("4 of 4 runs ok" in o for o, _ in outs),
      f"two study runs at once both finish: {[o.strip() for o, _ in outs]}")
check(len(pids) == 4 and len(set(pids.values())) == 2, f"the two processes shared the four runs: {sorted(pids.values())}")
check(same_bytes(shared), "the same bytes as one study run")

# 4. Damaged run files: collect names each and does not crash; study run sets them aside and reruns them.
damaged = os.path.join(d, "damaged")
shutil.copytree(reference, damaged)
runs_dir = os.path.join(damaged, "runs")
keys = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(runs_dir, "*.h5")))
with open(os.path.join(runs_dir, keys[0] + ".h5"), "r+b") as f:
    f.truncate(os.path.getsize(os.path.join(runs_dir, keys[0] + ".h5")) // 2)
with open(os.path.join(runs_dir, keys[1] + ".h5"), "w") as f:
    f.write("not an HDF5 file\n")
with h5py.File(os.path.join(runs_dir, keys[2] + ".h5"), "r+") as f:
    f["provenance"].attrs["dltsim_version"] = b"0.0.9"
os.remove(os.path.join(runs_dir, keys[2] + ".json"))  # as if copied from elsewhere without its status
os.remove(os.path.join(runs_dir, keys[3] + ".json"))  # a good file without its status: read from the file
r = dltsim("study", "collect", study, "--output", damaged, check=False)
check(r.returncode == 1 and "1 of 4 runs ok, 3 invalid" in r.stdout, f"collect: exit {r.returncode}, {r.stdout.strip()}")
for k, why in ((keys[0], "not a complete dltsim result file"), (keys[1], "not a complete dltsim result file"),
               (keys[2], "written by dltsim 0.0.9")):
    check(f"runs/{k}.h5: {why}" in r.stderr, f"collect names {k}.h5: {why}")
r = run_study(damaged, "-j", "2")
rejected = glob.glob(os.path.join(runs_dir, "rejected", "*.h5"))
check(r.returncode == 0 and "4 of 4 runs ok" in r.stdout and len(rejected) == 3,
      f"study run sets the 3 aside (kept in runs/rejected) and reruns them: {r.stdout.strip()}, {len(rejected)} kept")
check(same_bytes(damaged), "then the same bytes as uninterrupted")

# 5. SLURM: the job array cancelled (SIGTERM) and SIGKILLed (as on node loss) in the middle of runs.
slurm_script = os.path.join(HERE, "..", "..", "scripts", "slurm-local.sh")
r = subprocess.run(["bash", slurm_script], capture_output=True, text=True)
check(r.returncode == 0 and "SLURM_CONF=" in r.stdout, f"single-node SLURM up: {r.stderr.strip()[-300:]}")
if r.returncode == 0:
    os.environ["SLURM_CONF"] = r.stdout.strip().split("=", 1)[1]

    def wait_job(job, timeout=300):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            q = subprocess.run(["squeue", "-h", "-j", job], capture_output=True, text=True)
            if q.returncode == 0 and not q.stdout.strip():
                return True
            time.sleep(0.5)
        return False

    def submit(out):
        r = dltsim("study", "run", study, "--output", out, "--slurm", "--slurm-tasks", "1", check=False)
        return r.stdout.split("job array ")[1].split()[0] if "job array " in r.stdout else ""

    for how, signame, expected in (("scancel", "TERM", "interrupted"), ("SIGKILL, as a lost node", "KILL", "lost")):
        out = os.path.join(d, f"slurm-{signame.lower()}")
        job = submit(out)
        key, child = running_key(out) if job else (None, None)
        if signame == "KILL" and child:  # a lost node: the task and its simulation vanish, no signal handler runs
            worker_pid = parent_of(child)
            os.kill(child, signal.SIGKILL)
            os.kill(worker_pid, signal.SIGKILL)
        else:
            subprocess.run(["scancel", job], capture_output=True)
        check(job and key and child and gone(child, 60) and wait_job(job),
              f"{how}: a run was in progress (run {key}) and stopped with the job")
        r = dltsim("study", "collect", study, "--output", out, check=False)
        st = status_of(out, key) if key and os.path.exists(os.path.join(out, "study.h5")) else ""
        check(r.returncode == 1 and st == expected,
              f"{how}: collect records the run as {expected}, not done ({r.stdout.strip()}; {r.stderr.strip()[-160:]})")
        check(not os.path.exists(os.path.join(out, "runs", f"{key}.h5")), f"{how}: no result file for it")
        job = submit(out)
        check(job and wait_job(job), f"{how}: resubmitted, the array ran what was missing")
        r = dltsim("study", "collect", study, "--output", out, check=False)
        check(r.returncode == 0 and "4 of 4 runs ok" in r.stdout and same_bytes(out),
              f"{how}: resumed, the same study.h5 bytes as uninterrupted ({r.stdout.strip()})")
    subprocess.run(["bash", slurm_script, "stop"], capture_output=True)
done()
