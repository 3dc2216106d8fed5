"""Running a study's runs: one function per run (what every executor calls), and the executors:
local processes, a Dask cluster, a SLURM job array.

Each run writes runs/<key>.h5 (the key hashes the effective scenario, its seed and the dltsim
version and commit), its scenario beside it as runs/<key>.yaml, and runs/<key>.json with its status
(and stderr when it failed). A run whose .h5 exists is done and never run again; a failed or missing
one runs on the next `study run`.
"""

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time

from .api import _executable


def run_paths(runs_dir, key):
    base = os.path.join(runs_dir, key)
    return base + ".h5", base + ".yaml", base + ".json"


def run_summary(h5_path):
    """The numeric summary values of a run file, {key: float}."""
    import h5py
    import numpy as np

    with h5py.File(h5_path, "r") as f:
        out = {}
        for k, v in f["summary"].attrs.items():
            if "." in k or isinstance(v, (bytes, str)):
                continue
            v = np.asarray(v)
            if v.shape == () and np.issubdtype(v.dtype, np.number):
                out[k] = float(v)
        return out


def read_status(status_path):
    """A run's status file as a dict, or None if it is missing or unreadable."""
    try:
        with open(status_path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def write_status(status_path, status):
    """Writes a run's status file under a temporary name, then renames it (readers never see half)."""
    tmp = f"{status_path}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(status, f)
    os.replace(tmp, status_path)


def is_done(runs_dir, key):
    return os.path.exists(run_paths(runs_dir, key)[0])


def execute_run(task, executable=None, on_start=None):
    """Runs one task {key, effective_yaml, runs_dir, timeout_s}; returns {key, status, wall_s,
    returncode, stderr}. Never raises for a failed simulation: the status says it."""
    h5, yml, status_path = run_paths(task["runs_dir"], task["key"])
    os.makedirs(task["runs_dir"], exist_ok=True)
    if os.path.exists(h5):
        return {"key": task["key"], "status": "cached", "wall_s": 0.0, "returncode": 0, "stderr": ""}
    tmp = f"{yml}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(task["effective_yaml"])
    os.replace(tmp, yml)
    argv = [executable or _executable(), "run", yml, "-o", h5, "-q", "--json"]  # the summary on stdout
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # Ctrl-C in a terminal reaches us, not the children
    if on_start:
        on_start(proc)
    status = "ok"
    try:
        stdout, stderr = proc.communicate(timeout=task.get("timeout_s"))
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)  # keeps an .incomplete.h5 beside it, never the final name
        stdout, stderr = proc.communicate()
        status = "timeout"
    wall = time.monotonic() - start
    if status == "ok" and proc.returncode != 0:
        status = "interrupted" if proc.returncode in (130, -signal.SIGINT, -signal.SIGTERM, 143) else "failed"
    result = {"key": task["key"], "status": status, "wall_s": round(wall, 3), "returncode": proc.returncode,
              "stderr": (stderr or "")[-4000:]}
    if status == "ok":
        # Collecting then reads this file, not the HDF5 one. Numbers only; JSON null is NaN.
        try:
            values = json.loads(stdout)["summary"]
            result["summary"] = {k: (float("nan") if v is None else float(v)) for k, v in values.items()
                                 if v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))}
        except (ValueError, KeyError, TypeError):
            result["summary"] = run_summary(h5)
    if status != "interrupted":
        write_status(status_path, result)
    return result


def tasks_of(study, only_missing=True):
    tasks = []
    for run in study.runs:
        if only_missing and is_done(study.runs_dir, run.key):
            continue
        tasks.append({"key": run.key, "effective_yaml": run.effective_yaml, "runs_dir": study.runs_dir,
                      "timeout_s": study.run_timeout_s, "point": run.point, "replication": run.replication})
    return tasks


class Progress:
    """runs done, failed, running and the time left, on stderr: rewritten in place on a terminal,
    a plain line every `every_s` seconds otherwise (CI logs)."""

    def __init__(self, total, cached, stream=sys.stderr, every_s=10.0, enabled=True):
        self.total, self.cached = total, cached
        self.done = self.failed = self.running = 0
        self.stream, self.every_s, self.enabled = stream, every_s, enabled
        self.tty = enabled and hasattr(stream, "isatty") and stream.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.lock = threading.Lock()

    def line(self):
        finished = self.done + self.failed
        left = self.total - self.cached - finished
        elapsed = time.monotonic() - self.start
        eta = f", ~{_fmt_s(elapsed / finished * left)} left" if finished and left else ""
        return (f"study: {self.cached + self.done}/{self.total} done ({self.cached} cached), {self.failed} failed, "
                f"{self.running} running, {_fmt_s(elapsed)} elapsed{eta}")

    def update(self, force=False):
        if not self.enabled:
            return
        with self.lock:
            now = time.monotonic()
            if self.tty:
                self.stream.write("\r\033[K" + self.line())
                self.stream.flush()
            elif force or now - self.last >= self.every_s:
                self.last = now
                self.stream.write(self.line() + "\n")
                self.stream.flush()

    def close(self):
        if self.enabled:
            if self.tty:
                self.stream.write("\r\033[K" + self.line() + "\n")
            else:
                self.stream.write(self.line() + "\n")
            self.stream.flush()


def _fmt_s(s):
    s = int(round(s))
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else (f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s")


def _report(progress, result, failures):
    with progress.lock:
        progress.running -= 1
        if result["status"] in ("ok", "cached"):
            progress.done += 1
        else:
            progress.failed += 1
            failures.append(result)
    progress.update()


def run_local(study, jobs=None, progress=True, executable=None):
    """Runs what is missing with `jobs` processes at once (default: one per core). Returns the
    failures (dicts with key, status, stderr). Ctrl-C stops the running children (their partial
    results are not kept as done) and re-raises KeyboardInterrupt; finished runs stay."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    tasks = tasks_of(study)
    jobs = jobs or os.cpu_count() or 1
    prog = Progress(len(study.runs), len(study.runs) - len(tasks), enabled=progress)
    prog.update(force=True)
    failures, children, stop = [], set(), threading.Event()
    lock = threading.Lock()

    def one(task):
        if stop.is_set():
            return None
        with prog.lock:
            prog.running += 1

        def started(proc):
            with lock:
                children.add(proc)

        try:
            return execute_run(task, executable, started)
        finally:
            with lock:
                children.difference_update({c for c in children if c.poll() is not None})

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = [pool.submit(one, t) for t in tasks]
        for fut in as_completed(futures):
            r = fut.result()
            if r is not None:
                _report(prog, r, failures)
    except KeyboardInterrupt:
        stop.set()
        with lock:
            for c in children:
                if c.poll() is None:
                    c.send_signal(signal.SIGTERM)
        pool.shutdown(wait=True, cancel_futures=True)
        prog.close()
        raise
    pool.shutdown(wait=True)
    prog.close()
    return failures


def run_dask(study, scheduler=None, workers=None, progress=True, executable=None):
    """Runs what is missing on a Dask cluster: an existing scheduler (tcp://host:port) or, without
    one, a local cluster of `workers` processes (default one per core). Workers need the dltsim
    package importable and the runs folder reachable (a shared file system)."""
    from distributed import Client, LocalCluster, as_completed

    tasks = tasks_of(study)
    prog = Progress(len(study.runs), len(study.runs) - len(tasks), enabled=progress)
    prog.update(force=True)
    failures = []
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    exe = executable or _executable()
    try:
        futures = [client.submit(execute_run, t, exe, key=f"dltsim-run-{t['key']}", pure=False) for t in tasks]
        prog.running = len(futures)
        for fut in as_completed(futures):
            try:
                r = fut.result()
            except Exception as e:  # a worker died: the run is reported, the others go on
                r = {"key": "?", "status": "failed", "wall_s": 0, "returncode": None, "stderr": f"dask: {e}"}
            _report(prog, r, failures)
    except KeyboardInterrupt:
        client.cancel(futures)
        prog.close()
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    prog.close()
    return failures


def slurm_script(study, study_path, tasks, options):
    """The sbatch script of a job array: task i runs every run whose index modulo `tasks` is i."""
    slurm_dir = os.path.join(study.output_dir, "slurm")
    lines = ["#!/bin/bash", f"#SBATCH --job-name=dltsim-{study.name}", f"#SBATCH --array=0-{tasks - 1}",
             f"#SBATCH --output={slurm_dir}/%A_%a.out"]
    for k, v in options.items():
        flag = "--" + str(k).replace("_", "-")
        lines.append(f"#SBATCH {flag}" if v is True else f"#SBATCH {flag}={v}")
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    lines += [
        "set -eu",
        f"export PYTHONPATH={shlex.quote(pkg_parent)}${{PYTHONPATH:+:$PYTHONPATH}}",
        f"export DLTSIM_EXECUTABLE={shlex.quote(_executable())}",
        f"exec {shlex.quote(sys.executable)} -m dltsim.study_cli worker {shlex.quote(os.path.abspath(study_path))} "
        f"--output {shlex.quote(study.output_dir)} --task \"$SLURM_ARRAY_TASK_ID\" --tasks {tasks}",
    ]
    return "\n".join(lines) + "\n"


def submit_slurm(study, study_path, tasks=None, options=None, sbatch="sbatch"):
    """Writes the job array's script and submits it; returns (job id, script path)."""
    opts = dict(study.slurm)
    opts.update(options or {})
    missing = tasks_of(study)
    if not missing:
        return None, None
    tasks = max(1, min(tasks or len(missing), len(missing)))
    slurm_dir = os.path.join(study.output_dir, "slurm")
    os.makedirs(slurm_dir, exist_ok=True)
    script = os.path.join(slurm_dir, "job.sh")
    with open(script, "w", encoding="utf-8") as f:
        f.write(slurm_script(study, study_path, tasks, opts))
    r = subprocess.run([sbatch, "--parsable", script], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"sbatch failed (exit {r.returncode}): {r.stderr.strip()}")
    return r.stdout.strip().split(";")[0], script


def run_worker(study, task, tasks):
    """One SLURM array task: its share of the missing runs, one after the other."""
    failures = []
    for i, t in enumerate(tasks_of(study, only_missing=False)):
        if i % tasks == task:
            r = execute_run(t)
            print(f"run {t['key']} (point {t['point']}, replication {t['replication']}): {r['status']} "
                  f"in {r['wall_s']} s", flush=True)
            if r["status"] not in ("ok", "cached"):
                failures.append(r)
    return failures
