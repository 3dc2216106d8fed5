"""`dltsim study ...`: validate, run, collect and check studies (the dltsim executable hands the
`study` command to this module).

Exit codes: 0 success; 1 a run failed, or a check found a value that moved; 2 bad input;
130 interrupted (finished runs are kept and not run again).
"""

import argparse
import sys

from .errors import StudyError

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _load(args, check=True):
    from .study_spec import load_study_file
    overrides = {}
    if getattr(args, "replications", None):
        overrides["replications"] = args.replications
    return load_study_file(args.study, overrides, getattr(args, "output", None), check, args.max_runs)


def _print_failures(failures, study=None):
    for r in failures:
        where = ""
        if study is not None:
            run = next((x for x in study.runs if x.key == r["key"]), None)
            if run is not None:
                where = f" (point {run.point} [{study.labels[run.point]}], replication {run.replication}, seed {run.seed})"
        cause = r.get("cause") or f"exit {r.get('returncode')}"
        print(f"run {r['key']}{where}: {r['status']}: {cause}", file=sys.stderr)
        for line in (r.get("stderr") or "").strip().splitlines()[-5:]:
            print(f"    {line}", file=sys.stderr)


def _print_warnings(study):
    from .study_spec import warnings_of
    for w in warnings_of(study):
        print(f"dltsim: warning: {w}", file=sys.stderr)


def cmd_validate(args):
    from .study_spec import describe_runs
    study = _load(args)
    for line in describe_runs(study):
        print(line)
    _print_warnings(study)
    return EXIT_OK


def _collect_and_report(study):
    from .study_collect import collect
    path, runs, _, problems = collect(study)
    for p in problems:
        print(f"dltsim: {p}", file=sys.stderr)
    ok = int((runs.status == "ok").sum())
    others = runs.status[runs.status != "ok"].value_counts()
    detail = "".join(f", {n} {s}" for s, n in others.items())
    print(f"collected: {path}: {ok} of {len(runs)} runs ok{detail}")
    return ok == len(runs)


def _sbatch_options(items):
    options = {}
    for kv in items or []:
        key, value = kv.split("=", 1) if "=" in kv else (kv, True)
        options[key.strip().lstrip("-")] = value
    return options


def cmd_run(args):
    from . import study_run
    study = _load(args)
    _print_warnings(study)
    progress = not args.no_progress
    if args.slurm:
        try:
            job, script = study_run.submit_slurm(study, args.slurm_tasks, _sbatch_options(args.sbatch_option),
                                                 args.sbatch)
        except ValueError as e:
            print(f"dltsim: error: {e}", file=sys.stderr)
            return EXIT_INPUT
        if job is None:
            print("every run is done already; nothing submitted")
            return EXIT_OK if _collect_and_report(study) else EXIT_FAILED
        print(f"submitted job array {job} ({script}); when it is done: dltsim study collect {args.study}")
        return EXIT_OK
    try:
        if args.dask or args.scheduler:
            failures = study_run.run_dask(study, args.scheduler, args.jobs, progress)
        else:
            failures = study_run.run_local(study, args.jobs, progress)
    except KeyboardInterrupt:
        print("interrupted: finished runs are kept; rerun to do the rest", file=sys.stderr)
        _collect_and_report(study)
        return EXIT_INTERRUPTED
    _print_failures(failures, study)
    all_ok = _collect_and_report(study)
    return EXIT_OK if all_ok and not failures else EXIT_FAILED


def cmd_collect(args):
    study = _load(args)
    return EXIT_OK if _collect_and_report(study) else EXIT_FAILED


def cmd_check(args):
    from .study_check import compare, format_table
    rows, z = compare(args.study_file, args.baseline, args.z, args.rtol)
    moved = [r for r in rows if r["moved"]]
    for line in format_table(rows, only_moved=not args.all):
        print(line)
    print(f"checked {len(rows)} values against {args.baseline} (z limit {z:.2f}, rtol {args.rtol:g}): "
          f"{len(moved)} moved")
    return EXIT_FAILED if moved else EXIT_OK


def cmd_worker(args):
    from .study_run import run_worker
    failures, stopped = run_worker(args.tasks_file, args.task, args.tasks)
    _print_failures(failures)
    if stopped:
        return 128 + 15  # as a process ended by SIGTERM
    return EXIT_FAILED if failures else EXIT_OK


def executor_args(sp, slurm_help, tasks_help):
    """The options that choose where runs go (local cores, Dask, SLURM): `study run` and `atlas run`."""
    sp.add_argument("-j", "--jobs", type=int, help="runs at once (local) or Dask workers (default: cores)")
    sp.add_argument("--dask", action="store_true", help="run on a local Dask cluster")
    sp.add_argument("--scheduler", help="run on an existing Dask scheduler, tcp://host:port")
    sp.add_argument("--slurm", action="store_true", help=slurm_help)
    sp.add_argument("--slurm-tasks", type=int, help=tasks_help)
    sp.add_argument("--sbatch-option", action="append", metavar="KEY=VALUE",
                    help="an sbatch option (repeatable), over the study's slurm settings; KEY alone for a flag")
    sp.add_argument("--sbatch", default="sbatch", help="the sbatch command")
    sp.add_argument("--no-progress", action="store_true", help="no progress line")


def parser():
    from .study_spec import DEFAULT_MAX_RUNS
    p = argparse.ArgumentParser(prog="dltsim study", description="parameter sweeps with replication")
    sub = p.add_subparsers(dest="command", required=True, metavar="{validate,run,collect,check}")

    def study_args(sp):
        sp.add_argument("study", help="the study file (YAML)")
        sp.add_argument("--output", help="folder for runs and study.h5 (default: the study's output)")
        sp.add_argument("--replications", type=int, help="replace the study's replications")
        sp.add_argument("--max-runs", type=int, default=DEFAULT_MAX_RUNS, metavar="N",
                        help=f"refuse a study that expands to more runs (default {DEFAULT_MAX_RUNS:,})")

    sp = sub.add_parser("validate", help="expand the study and check every run's scenario; print the points")
    study_args(sp)
    sp.set_defaults(func=cmd_validate)

    sp = sub.add_parser("run", help="run what is missing or failed, then collect")
    study_args(sp)
    executor_args(sp, "submit a SLURM job array (then: dltsim study collect)",
                  "array tasks (default: one per missing run)")
    sp.set_defaults(func=cmd_run)

    sp = sub.add_parser("collect", help="collect the finished runs into study.h5")
    study_args(sp)
    sp.set_defaults(func=cmd_collect)

    sp = sub.add_parser("check", help="compare a collected study with a baseline; exit 1 if a value moved")
    sp.add_argument("study_file", help="the collected study (study.h5)")
    sp.add_argument("--baseline", required=True, help="the baseline study file")
    sp.add_argument("--z", type=float, help="limit on |difference| / combined SE (default: Bonferroni, "
                                            "family-wise false alarms 0.001)")
    sp.add_argument("--rtol", type=float, default=1e-9, help="relative tolerance for values without an SE")
    sp.add_argument("--all", action="store_true", help="print every value, not only those that moved")
    sp.set_defaults(func=cmd_check)

    sp = sub.add_parser("worker")  # a SLURM array task (the job script calls it): not listed
    sp.add_argument("tasks_file")
    sp.add_argument("--task", type=int, required=True)
    sp.add_argument("--tasks", type=int, required=True)
    sp.set_defaults(func=cmd_worker)
    return p


def dispatch(p, argv=None):
    """Parses argv with p and runs the chosen command; bad input (a study or catalogue error, a missing
    file, a bad value) is one line on stderr and exit code 2. Shared by study, threats and atlas."""
    args = p.parse_args(argv)
    try:
        return args.func(args)
    except (StudyError, FileNotFoundError, ValueError) as e:
        print(f"dltsim: error: {e}", file=sys.stderr)
        return EXIT_INPUT


def main(argv=None):
    return dispatch(parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
