"""Running a study's runs: one function per run (what every executor calls), and the executors:
local processes, a Dask cluster, a SLURM job array.

Each run writes runs/<key>.h5 (the key hashes the effective scenario, its seed and the dltsim
version and commit), its scenario beside it as runs/<key>.yaml, and runs/<key>.json with its status.
A run is done when its .h5 is there and checks out (the size its status recorded, or its provenance:
the same dltsim and the same scenario); anything else runs again on the next `study run`.

No lost work: whoever runs a run holds an exclusive lock on runs/<key>.lock (flock) for as long as it
runs, and marks it "running" with its host and pid. Two `study run` processes on one study share the
runs (each takes those nobody holds, then waits for the others); a run whose process died (SIGKILL, a
lost node) has its lock released by the kernel and reads as "lost" with that cause; a SIGTERM
(Ctrl-C, scancel, a time limit) is recorded as "interrupted". dltsim writes a result under a
temporary name and renames it only when complete, so a killed run never leaves a .h5 behind.
"""

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

from .api import _executable

LOCK_WAIT_S = 0.05  # a lock held longer than this belongs to a run in progress, not to a peek (collect)


def run_paths(runs_dir, key):
    base = os.path.join(runs_dir, key)
    return base + ".h5", base + ".yaml", base + ".json"


def _lock_path(runs_dir, key):
    return os.path.join(runs_dir, key + ".lock")


class RunLock:
    """An exclusive flock on runs/<key>.lock, released when closed or when its process dies."""

    def __init__(self, runs_dir, key):
        self.path = _lock_path(runs_dir, key)
        self.fd = None

    def acquire(self, wait_s=LOCK_WAIT_S, block=False):
        """True once held; False if another process holds it after wait_s (block: wait until free)."""
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        if block:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            return True
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(self.fd)
                    self.fd = None
                    return False
                time.sleep(0.05)

    def release(self):
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None


def held_elsewhere(runs_dir, key):
    """True if a live process holds the run's lock (it is running it)."""
    if not os.path.exists(_lock_path(runs_dir, key)):
        return False
    lock = RunLock(runs_dir, key)
    if not lock.acquire(wait_s=0):
        return True
    lock.release()
    return False


def run_summary(h5_path):
    """The numeric summary of a run file: ({key: number}, {key: unit}, {key: support}, {key: doc})."""
    import h5py
    import numpy as np

    values, units, supports, docs = {}, {}, {}, {}
    with h5py.File(h5_path, "r") as f:
        attrs = f["summary"].attrs
        for k, v in attrs.items():
            if "." in k or isinstance(v, (bytes, str)):
                continue
            v = np.asarray(v)
            if v.shape == () and np.issubdtype(v.dtype, np.number):
                values[k] = int(v) if np.issubdtype(v.dtype, np.integer) else float(v)
                for suffix, into in ((".unit", units), (".support", supports), (".doc", docs)):
                    if k + suffix in attrs:
                        text = attrs[k + suffix]
                        into[k] = text.decode() if isinstance(text, bytes) else str(text)
    return values, units, supports, docs


def check_run_file(h5_path, effective_yaml=None):
    """Why a file under a run's name is not that run's result ('' if it is): not HDF5, truncated,
    incomplete, from another dltsim, or of another scenario."""
    import h5py

    from . import _dltsim

    try:
        with h5py.File(h5_path, "r") as f:
            prov = f["provenance"]

            def text(name):
                v = prov.attrs.get(name, b"")
                return v.decode() if isinstance(v, bytes) else str(v)
            if text("status") != "complete":
                return f"its status is {text('status') or 'unknown'}, not complete"
            version, commit = text("dltsim_version"), text("git_commit")
            if (version, commit) != (_dltsim.version, _dltsim.git_commit):
                return (f"written by dltsim {version} ({commit[:12]}), this study runs dltsim {_dltsim.version} "
                        f"({_dltsim.git_commit[:12]})")
            if effective_yaml is not None and "scenario_yaml" in prov:
                written = prov["scenario_yaml"][()]
                written = written.decode() if isinstance(written, bytes) else str(written)
                if written != effective_yaml:
                    return "it ran another scenario than this run's"
            if "summary" not in f:
                return "it has no summary"
    except (OSError, KeyError, ValueError, RuntimeError) as e:
        return f"not a complete dltsim result file ({str(e).splitlines()[0][:160] if str(e) else type(e).__name__})"
    return ""


def read_status(status_path):
    """A run's status file as a dict, or None if it is missing or unreadable."""
    try:
        with open(status_path, encoding="utf-8") as f:
            status = json.load(f)
        return status if isinstance(status, dict) else None
    except (OSError, ValueError):
        return None


def write_status(status_path, status):
    """Writes a run's status file under a temporary name, then renames it (readers never see half)."""
    tmp = f"{status_path}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(status, f)
    os.replace(tmp, status_path)


def _set_aside(runs_dir, h5, why):
    """Moves a file that is not the run's result out of the way, keeping it (nothing is lost)."""
    rejected = os.path.join(runs_dir, "rejected")
    os.makedirs(rejected, exist_ok=True)
    target = os.path.join(rejected, f"{os.path.basename(h5)[:-3]}.{uuid.uuid4().hex[:8]}.h5")
    os.replace(h5, target)
    with open(target + ".why", "w", encoding="utf-8") as f:
        f.write(why + "\n")
    return target


def run_state(runs_dir, key, effective_yaml=None):
    """(state, detail, status) of a run: ok, invalid (a file under its name that is not its result),
    running (a live process holds it), lost (its process died while running it), failed, timeout,
    interrupted or missing. detail says why for the states that are not ok."""
    h5, _, status_path = run_paths(runs_dir, key)
    status = read_status(status_path)
    if os.path.exists(h5):
        try:
            size = os.path.getsize(h5)
        except OSError:
            size = -1
        # The status's record of the file it wrote is the fast path; anything else is opened and read.
        if status is not None and status.get("status") == "ok" and status.get("h5_size") == size and "summary" in status:
            return "ok", "", status
        why = check_run_file(h5, effective_yaml)
        if why:
            return "invalid", f"{os.path.basename(h5)}: {why}", status
        values, units, supports, docs = run_summary(h5)
        status = {"key": key, "status": "ok", "summary": values, "units": units, "supports": supports,
                  "h5_size": size, "cause": "read from the result file"}
        try:
            write_status(status_path, status)
        except OSError:
            pass
        return "ok", "", status
    if status is None:
        return "missing", "not run yet", None
    state = status.get("status", "missing")
    if state == "running":
        if held_elsewhere(runs_dir, key):
            return "running", f"running on {status.get('host', '?')} (pid {status.get('pid', '?')})", status
        return "lost", (f"its process (host {status.get('host', '?')}, pid {status.get('pid', '?')}, "
                        f"{status.get('executor', '?')}) stopped while running it: killed, cancelled or its node lost"), status
    if state == "ok":  # a status without its file: the file was deleted
        return "missing", "its result file was removed", status
    return state, status.get("cause") or f"exit {status.get('returncode')}", status


def is_done(runs_dir, key, effective_yaml=None):
    return run_state(runs_dir, key, effective_yaml)[0] == "ok"


def _classify(returncode, timed_out):
    if timed_out:
        return "timeout", "over the study's run_timeout"
    if returncode == 0:
        return "ok", ""
    if returncode in (130, 143, -signal.SIGINT, -signal.SIGTERM):
        return "interrupted", f"interrupted (exit {returncode}: SIGINT or SIGTERM: Ctrl-C, scancel, a time limit)"
    if returncode is not None and returncode < 0:
        return "failed", f"killed by signal {-returncode} ({signal.Signals(-returncode).name})"
    return "failed", f"exit {returncode}"


def execute_run(task, executable=None, on_start=None, executor="local"):
    """Runs one task {key, effective_yaml, runs_dir, timeout_s}; returns {key, status, wall_s,
    returncode, stderr, cause}. Never raises for a failed simulation: the status says it. status
    "busy": another process holds the run (it is running it)."""
    runs_dir, key = task["runs_dir"], task["key"]
    h5, yml, status_path = run_paths(runs_dir, key)
    os.makedirs(runs_dir, exist_ok=True)
    lock = RunLock(runs_dir, key)
    if not lock.acquire():
        return {"key": key, "status": "busy", "wall_s": 0.0, "returncode": None, "stderr": "",
                "cause": "another process is running it"}
    try:
        state, detail, _ = run_state(runs_dir, key, task["effective_yaml"])
        if state == "ok":
            return {"key": key, "status": "cached", "wall_s": 0.0, "returncode": 0, "stderr": ""}
        if state == "invalid":
            _set_aside(runs_dir, h5, detail)
        tmp = f"{yml}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(task["effective_yaml"])
        os.replace(tmp, yml)
        started = {"key": key, "status": "running", "host": socket.gethostname(), "pid": os.getpid(),
                   "executor": executor, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        write_status(status_path, started)
        argv = [executable or _executable(), "run", yml, "-o", h5, "-q", "--json"]  # the summary on stdout
        # The child stops (SIGTERM, keeping an .incomplete.h5) if this process dies: a killed Dask
        # worker or SLURM task leaves no simulation running on.
        env = dict(os.environ, DLTSIM_EXIT_WITH_PARENT=str(os.getpid()))
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                start_new_session=True)  # Ctrl-C in a terminal reaches us, not the children
        if on_start:
            on_start(proc)
        timed_out = False
        try:
            stdout, stderr = proc.communicate(timeout=task.get("timeout_s"))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)  # keeps an .incomplete.h5 beside it, never the final name
            stdout, stderr = proc.communicate()
            timed_out = True
        wall = time.monotonic() - start
        status, cause = _classify(proc.returncode, timed_out)
        result = dict(started, status=status, cause=cause, wall_s=round(wall, 3), returncode=proc.returncode,
                      stderr=(stderr or "")[-4000:])
        if status == "ok":
            # Collecting then reads this file, not the HDF5 one. JSON null is NaN; integers stay integers.
            try:
                out = json.loads(stdout)
                result["summary"] = {k: (float("nan") if v is None else v) for k, v in out["summary"].items()
                                     if v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))}
                result["units"] = out.get("units", {})
                result["supports"] = out.get("supports", {})
            except (ValueError, KeyError, TypeError, AttributeError):
                result["summary"], result["units"], result["supports"], _ = run_summary(h5)
            result["h5_size"] = os.path.getsize(h5)
        write_status(status_path, result)
        return result
    finally:
        lock.release()


def record_failure(runs_dir, key, cause, executor):
    """Marks a run failed with its cause, unless another process holds it or its result exists."""
    lock = RunLock(runs_dir, key)
    if not lock.acquire():
        return
    try:
        h5, _, status_path = run_paths(runs_dir, key)
        if not os.path.exists(h5):
            write_status(status_path, {"key": key, "status": "failed", "cause": cause, "executor": executor,
                                       "returncode": None, "stderr": ""})
    finally:
        lock.release()


def _studies(study):
    """A study, or a list of them (the atlas runs every threat's study in one pool)."""
    return study if isinstance(study, (list, tuple)) else [study]


def _run_count(study):
    return sum(len(s.runs) for s in _studies(study))


def tasks_of(study, only_missing=True):
    """The runs to do of a study (or a list of studies), as tasks for execute_run."""
    if isinstance(study, (list, tuple)):
        return [t for s in study for t in tasks_of(s, only_missing)]
    tasks = []
    for run in study.runs:
        if only_missing and is_done(study.runs_dir, run.key, run.effective_yaml):
            continue
        tasks.append({"key": run.key, "effective_yaml": run.effective_yaml, "runs_dir": study.runs_dir,
                      "timeout_s": study.run_timeout_s, "point": run.point, "replication": run.replication})
    return tasks


class Progress:
    """runs done, failed, running and the time left, on stderr: rewritten in place on a terminal,
    a plain line every `every_s` seconds otherwise (CI logs)."""

    def __init__(self, total, cached, stream=sys.stderr, every_s=10.0, enabled=True):
        self.total, self.cached = total, cached
        self.done = self.failed = self.running = self.elsewhere = 0
        self.stream, self.every_s, self.enabled = stream, every_s, enabled
        self.tty = enabled and hasattr(stream, "isatty") and stream.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.lock = threading.Lock()

    def line(self):
        finished = self.done + self.failed
        left = self.total - self.cached - finished - self.elsewhere
        elapsed = time.monotonic() - self.start
        eta = f", ~{_fmt_s(elapsed / finished * left)} left" if finished and left > 0 else ""
        other = f", {self.elsewhere} run by another process" if self.elsewhere else ""
        return (f"study: {self.cached + self.done}/{self.total} done ({self.cached} cached), {self.failed} failed, "
                f"{self.running} running{other}, {_fmt_s(elapsed)} elapsed{eta}")

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


def _report(progress, result, failures, busy):
    with progress.lock:
        progress.running -= 1
        if result["status"] in ("ok", "cached"):
            progress.done += 1
        elif result["status"] == "busy":
            progress.elsewhere += 1
            busy.append(result)
        else:
            progress.failed += 1
            failures.append(result)
    progress.update()


def _wait_for_others(study, busy, progress, failures, executable=None):
    """Waits for the runs another process was running, then takes their outcome; a run it left
    undone (it failed, or was stopped) is run here."""
    tasks = {t["key"]: t for t in tasks_of(study, only_missing=False)}
    for r in busy:
        lock = RunLock(tasks[r["key"]]["runs_dir"], r["key"])
        lock.acquire(block=True)
        lock.release()
        result = execute_run(tasks[r["key"]], executable)  # "cached" when the other process finished it
        with progress.lock:
            progress.elsewhere -= 1
            if result["status"] in ("ok", "cached"):
                progress.done += 1
            else:
                progress.failed += 1
                failures.append(result)
        progress.update()


def run_local(study, jobs=None, progress=True, executable=None):
    """Runs what is missing of a study (or a list of studies, in one pool) with `jobs` processes at once (default: one per core). Returns the
    failures (dicts with key, status, cause, stderr). Runs another process holds are waited for.
    Ctrl-C stops the running children (recorded as interrupted, not done) and re-raises
    KeyboardInterrupt; finished runs stay."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    tasks = tasks_of(study)
    jobs = jobs or os.cpu_count() or 1
    prog = Progress(_run_count(study), _run_count(study) - len(tasks), enabled=progress)
    prog.update(force=True)
    failures, busy, children, stop = [], [], set(), threading.Event()
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
                _report(prog, r, failures, busy)
        _wait_for_others(study, busy, prog, failures, executable)
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
    package importable and the runs folder reachable (a shared file system). A run whose worker died
    (Dask gives up after its allowed-failures retries) is recorded as failed with the cause."""
    from distributed import Client, LocalCluster, as_completed

    tasks = tasks_of(study)
    prog = Progress(_run_count(study), _run_count(study) - len(tasks), enabled=progress)
    prog.update(force=True)
    failures, busy = [], []
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    exe = executable or _executable()
    futures = []
    try:
        futures = [client.submit(execute_run, t, exe, None, "dask", key=f"dltsim-run-{t['key']}", pure=False)
                   for t in tasks]
        task_of = {f.key: t for f, t in zip(futures, tasks)}
        prog.running = len(futures)
        for fut in as_completed(futures):
            try:
                r = fut.result()
            except Exception as e:  # a worker died: the run is recorded failed, the others go on
                t = task_of[fut.key]
                cause = f"dask: {type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}"
                record_failure(t["runs_dir"], t["key"], cause, "dask")
                r = {"key": t["key"], "status": "failed", "cause": cause, "wall_s": 0, "returncode": None,
                     "stderr": ""}
            _report(prog, r, failures, busy)
        _wait_for_others(study, busy, prog, failures, exe)
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


def _quoted_sbatch(option, value):
    """One '#SBATCH' line; values were checked (study_spec.check_sbatch_option) and are quoted."""
    return f"#SBATCH --{option}" if value is True else f'#SBATCH --{option}="{value}"'


def slurm_script(study, tasks_file, tasks, options):
    """The sbatch script of a job array: task i runs every run of tasks_file whose index modulo
    `tasks` is i. Nothing of the study reaches bash unquoted: options sit on #SBATCH lines (read by
    sbatch, not bash), paths are quoted with shlex."""
    import shlex

    from .study_spec import check_sbatch_option

    slurm_dir = os.path.join(study.output_dir, "slurm")
    for path in (slurm_dir, tasks_file):
        if any(c in path for c in '"\\%\n\r') or any(ord(c) < 0x20 for c in path):
            raise ValueError(f"{path!r}: a quote, backslash, %, or control character cannot go into a job script")
    lines = ["#!/bin/bash", _quoted_sbatch("job-name", f"dltsim-{study.name}"),
             _quoted_sbatch("array", f"0-{tasks - 1}"), _quoted_sbatch("output", f"{slurm_dir}/%A_%a.out")]
    for k, v in options.items():
        problem = check_sbatch_option(k, v)
        if problem:
            raise ValueError(f"sbatch option: {problem}")
        lines.append(_quoted_sbatch(str(k).replace("_", "-"), v))
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    lines += [
        "set -eu",
        f"export PYTHONPATH={shlex.quote(pkg_parent)}${{PYTHONPATH:+:$PYTHONPATH}}",
        f"export DLTSIM_EXECUTABLE={shlex.quote(_executable())}",
        f"exec {shlex.quote(sys.executable)} -m dltsim.study_cli worker {shlex.quote(tasks_file)} "
        f"--task \"$SLURM_ARRAY_TASK_ID\" --tasks {int(tasks)}",
    ]
    return "\n".join(lines) + "\n"


def submit_slurm(study, tasks=None, options=None, sbatch="sbatch"):
    """Writes the job array's task list and script and submits it; returns (job id, script path).
    The task list fixes the runs at submission (the study's expansion, with any override), so the
    array tasks do not expand the study again."""
    from .study_spec import check_sbatch_option

    opts = dict(study.slurm)
    for k, v in (options or {}).items():
        problem = check_sbatch_option(k, v)
        if problem:
            raise ValueError(f"--sbatch-option {k}: {problem}")
        opts[str(k).replace("_", "-")] = v
    missing = tasks_of(study)
    if not missing:
        return None, None
    tasks = max(1, min(tasks or len(missing), len(missing)))
    slurm_dir = os.path.join(study.output_dir, "slurm")
    os.makedirs(slurm_dir, exist_ok=True)
    token = uuid.uuid4().hex[:12]
    tasks_file = os.path.join(slurm_dir, f"tasks-{token}.json")
    with open(tasks_file, "w", encoding="utf-8") as f:
        json.dump({"study": study.name, "tasks": missing}, f)
    script = os.path.join(slurm_dir, f"job-{token}.sh")
    with open(script, "w", encoding="utf-8") as f:
        f.write(slurm_script(study, tasks_file, tasks, opts))
    r = subprocess.run([sbatch, "--parsable", script], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"sbatch failed (exit {r.returncode}): {r.stderr.strip()}")
    return r.stdout.strip().split(";")[0], script


def run_worker(tasks_file, task, tasks):
    """One SLURM array task: its share of the task list, one run after the other. SIGTERM (scancel,
    the job's time limit, preemption) stops the run in progress, records it as interrupted and ends
    the task; SIGKILL or a lost node leaves it "running" with its lock released: "lost" to collect."""
    with open(tasks_file, encoding="utf-8") as f:
        todo = json.load(f)["tasks"]
    stopping = threading.Event()
    current = []

    def on_term(signum, _frame):
        stopping.set()
        for proc in current:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_term)
    failures = []
    for i, t in enumerate(todo):
        if i % tasks != task:
            continue
        if stopping.is_set():
            break
        r = execute_run(t, on_start=current.append, executor=f"slurm {os.environ.get('SLURM_JOB_ID', '?')}"
                                                               f"_{os.environ.get('SLURM_ARRAY_TASK_ID', task)}")
        current.clear()
        print(f"run {t['key']} (point {t['point']}, replication {t['replication']}): {r['status']} "
              f"in {r['wall_s']} s", flush=True)
        if r["status"] not in ("ok", "cached", "busy"):
            failures.append(r)
    return failures, stopping.is_set()
