#!/usr/bin/env python3
"""Study machinery benchmark (not a test): what scheduling, hashing and collecting cost around the
runs, whether a 2-core machine stays busy, and how long collecting 10,000 runs takes.

    bash scripts/bench.sh --study          # or: PYTHONPATH=build/python /usr/bin/python3 bench/bench_study.py

1. Overhead: a study of 10 quickstart runs (1,000 nodes, 20 blocks) with one job at a time; the
   study's wall time against the sum of the runs' own wall times (each measured around its process).
2. Both cores: the same 10 runs with 2 jobs; CPU time of the children over (wall x 2).
3. Collecting: a grid of 100 points x 100 replications (10,000 runs) of a 2-node idealised scenario,
   the run files hard links to one real result; time to load and validate the study file, and to
   collect study.h5.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DLTSIM = os.path.join(ROOT, "build", "dltsim")
RUNS = int(os.environ.get("DLTSIM_BENCH_RUNS", "10"))
sys.path.insert(0, os.path.join(ROOT, "build", "python"))


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    tmp = tempfile.mkdtemp(prefix="dltsim-bench-study-")
    quick = os.path.join(ROOT, "scenarios", "quickstart.yaml")
    study = write(os.path.join(tmp, "overhead.yaml"),
                  f"base: {quick}\nreplications: {RUNS}\nmetrics: [stale_rate, propagation_p50_s]\n")
    results = {}
    for jobs in (1, 2):
        out = os.path.join(tmp, f"out-j{jobs}")
        cpu0, t0 = cpu_children(), time.monotonic()
        subprocess.run([DLTSIM, "study", "run", study, "--output", out, "-j", str(jobs), "--no-progress"],
                       check=True, capture_output=True)
        wall = time.monotonic() - t0
        cpu = cpu_children() - cpu0
        runs = [json.load(open(os.path.join(out, "runs", f))) for f in os.listdir(os.path.join(out, "runs"))
                if f.endswith(".json")]
        run_wall = sum(r["wall_s"] for r in runs)
        results[jobs] = (wall, run_wall, cpu)
    wall1, runs1, _ = results[1]
    wall2, runs2, cpu2 = results[2]
    print("| measure | value |")
    print("|---|---|")
    print(f"| {RUNS} quickstart runs, 1 job: study wall s | {wall1:.2f} |")
    print(f"| sum of the runs' own wall s | {runs1:.2f} |")
    print(f"| overhead (study wall / runs - 1) | {100 * (wall1 / runs1 - 1):.1f} % |")
    print(f"| 2 jobs: study wall s | {wall2:.2f} (speed-up {wall1 / wall2:.2f}) |")
    print(f"| 2 jobs: CPU busy (children CPU / (wall x 2)) | {100 * cpu2 / (2 * wall2):.0f} % |")

    # Collecting 10,000 runs.
    tiny = write(os.path.join(tmp, "tiny.yaml"),
                 "general: {stop: {blocks: 50}}\nnetwork: {idealised: true, nodes: 2}\n"
                 "consensus: {protocol: nakamoto}\noutput: {record: [blocks]}\n")
    grid = write(os.path.join(tmp, "grid.yaml"),
                 f"base: {tiny}\nreplications: 100\naxes:\n  grid:\n    general.stop.blocks: "
                 f"[{', '.join(str(50 + i) for i in range(100))}]\n")
    from dltsim.study_collect import collect
    from dltsim.study_run import execute_run, run_paths
    from dltsim.study_spec import load_study_file
    t0 = time.monotonic()
    s = load_study_file(grid, output_dir=os.path.join(tmp, "grid-out"))
    load_s = time.monotonic() - t0
    first = s.runs[0]
    os.makedirs(s.runs_dir, exist_ok=True)
    execute_run({"key": first.key, "effective_yaml": first.effective_yaml, "runs_dir": s.runs_dir, "timeout_s": None})
    h5, _, js = run_paths(s.runs_dir, first.key)
    for run in s.runs[1:]:
        h, _, j = run_paths(s.runs_dir, run.key)
        os.link(h5, h)
        shutil.copy(js, j)
    t0 = time.monotonic()
    collect(s)
    collect_s = time.monotonic() - t0
    print(f"| 10,000 runs: load and validate the study file s | {load_s:.1f} |")
    print(f"| 10,000 runs: collect study.h5 s | {collect_s:.1f} |")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
