"""`dltsim atlas`: run the threat catalogue as studies and put the numbers in one place.

    dltsim atlas run [ID ...] [--size ci|full] [-j N | --dask | --scheduler URL | --slurm]
    dltsim atlas collect [ID ...] [--size ...]      after a SLURM array, or at any time
    dltsim atlas report [ID ...] [--size ...] [-o atlas.html]
    dltsim atlas check [ID ...] --baseline DIR      exit 1 if a cell moved or a closed form disagrees

Everything goes to --output (default ./atlas): <size>/<id>/study.yaml (the generated study, rerunnable
with `dltsim study run`), its runs/ and study.h5, and <size>/atlas.h5, atlas.csv, atlas.html.

Exit codes: 0 success; 1 a run failed, a value moved, or a closed form disagrees; 2 bad input;
130 interrupted (finished runs are kept).
"""

import argparse
import math
import os
import sys


EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _threats(args):
    from .threats import load_catalogue
    return load_catalogue(args.catalogue, args.ids or None)


def _out(args):
    from .atlas import default_output
    return os.path.abspath(args.output or default_output())


def _fmt(v, digits=3):
    return "nan" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}g}"


def _print_cells(cells):
    print(f"{'threat':22} {'strength':>9} {'mitigation':22} {'off':>9} {'on':>9} {'reduction [95% CI]':>26}")
    for _, c in cells.iterrows():
        red = (f"{_fmt(c.reduction)} [{_fmt(c.reduction_low)}, {_fmt(c.reduction_high)}]"
               if not math.isnan(c.reduction)
               else f"diff {_fmt(c.diff_mean)} [{_fmt(c.diff_low)}, {_fmt(c.diff_high)}]")
        print(f"{c.threat[:22]:22} {c.strength_text[:9]:>9} {c.mitigation[:22]:22} {_fmt(c.off_mean):>9} "
              f"{_fmt(c.on_mean):>9} {red:>26}")


def _print_checks(checks):
    bad = checks[~checks.agrees] if len(checks) else checks
    if len(checks):
        print(f"closed forms: {len(checks) - len(bad)} of {len(checks)} agree (|measured - closed form| <= "
              f"t se + tolerance, t for a family-wise false-alarm rate of 0.001)")
    for _, r in bad.iterrows():
        print(f"dltsim: closed form disagrees: {r.threat} strength {r.strength} {r.mitigation} {r.state}: "
              f"{r.metric} {_fmt(r.closed_form, 5)}, measured {_fmt(r.measured, 5)} (se {_fmt(r.se)}, tolerance "
              f"{_fmt(r.tolerance)})", file=sys.stderr)
    return len(bad) == 0


def _build(threats, args, studies=None):
    from .atlas import build
    cells, checks, problems, h5, csv = build(threats, args.size, _out(args), studies)
    for p in problems:
        print(f"dltsim: {p}", file=sys.stderr)
    return cells, checks, h5, csv


def cmd_run(args):
    from . import study_run
    from .atlas import prepare
    threats = _threats(args)
    out = _out(args)
    studies = prepare(threats, args.size, out)
    total = sum(len(s.runs) for s in studies)
    print(f"atlas {args.size}: {len(threats)} threats, {total} runs in {out}/{args.size}", file=sys.stderr)
    if args.slurm:
        from .study_cli import _sbatch_options
        submitted = 0
        for t, s in zip(threats, studies):
            try:
                job, script = study_run.submit_slurm(s, args.slurm_tasks, _sbatch_options(args.sbatch_option),
                                                     args.sbatch)
            except (ValueError, RuntimeError) as e:
                print(f"dltsim: error: {t.id}: {e}", file=sys.stderr)
                return EXIT_INPUT if isinstance(e, ValueError) else EXIT_FAILED
            if job:
                submitted += 1
                print(f"{t.id}: submitted job array {job} ({script})")
        print(f"submitted {submitted} job arrays; when they are done: dltsim atlas report --size {args.size}"
              + (f" --output {out}" if args.output else ""))
        return EXIT_OK
    try:
        if args.dask or args.scheduler:
            failures = study_run.run_dask(studies, args.scheduler, args.jobs, not args.no_progress)
        else:
            failures = study_run.run_local(studies, args.jobs, not args.no_progress)
    except KeyboardInterrupt:
        print("interrupted: finished runs are kept; rerun to do the rest", file=sys.stderr)
        return EXIT_INTERRUPTED
    for f in failures:
        print(f"run {f['key']}: {f['status']}: {f.get('cause') or 'exit ' + str(f.get('returncode'))}",
              file=sys.stderr)
    cells, checks, h5, csv = _build(threats, args, studies)
    if not args.quiet:
        _print_cells(cells)
    agree = _print_checks(checks)
    print(f"atlas: {h5}, {csv}")
    return EXIT_OK if not failures and agree else EXIT_FAILED


def cmd_collect(args):
    threats = _threats(args)
    cells, checks, h5, csv = _build(threats, args)
    _print_cells(cells)
    agree = _print_checks(checks)
    print(f"atlas: {h5}, {csv}")
    return EXIT_OK if agree else EXIT_FAILED


def cmd_report(args):
    from .atlas_report import write_report
    threats = _threats(args)
    cells, checks, h5, csv = _build(threats, args)
    page = args.o or os.path.join(_out(args), args.size, "atlas.html")
    write_report(page, threats, cells, checks, args.size, _out(args))
    print(f"report: {page}")
    return EXIT_OK


def cmd_check(args):
    from .atlas import check_baseline, study_folder
    from .study_check import format_table
    threats = _threats(args)
    cells, checks, h5, csv = _build(threats, args)
    if args.write:
        import shutil
        os.makedirs(args.baseline, exist_ok=True)
        for t in threats:
            shutil.copyfile(os.path.join(study_folder(_out(args), args.size, t), "study.h5"),
                            os.path.join(args.baseline, f"{t.id}.h5"))
        print(f"wrote the baseline of {len(threats)} threats to {args.baseline}")
        return EXIT_OK if _print_checks(checks) else EXIT_FAILED
    rows, z, missing = check_baseline(threats, args.size, _out(args), args.baseline, args.z)
    moved = [r for r in rows if r["moved"]]
    for r in moved:
        r["metric"] = f"{r['threat']}: {r['metric']}"
    for line in format_table(rows, only_moved=not args.all):
        print(line)
    for t in missing:
        print(f"dltsim: {t}: no baseline ({os.path.join(args.baseline, t + '.h5')})", file=sys.stderr)
    print(f"checked {len(rows)} values of {len(threats) - len(missing)} threats against {args.baseline} "
          f"(z limit {z:.2f}): {len(moved)} moved")
    agree = _print_checks(checks)
    return EXIT_OK if not moved and not missing and agree else EXIT_FAILED


def parser():
    from .study_cli import executor_args
    p = argparse.ArgumentParser(prog="dltsim atlas", description="the threat catalogue as measured studies")
    sub = p.add_subparsers(dest="command", required=True, metavar="{run,collect,report,check}")

    def common(sp):
        sp.add_argument("ids", nargs="*", metavar="ID", help="threats (default: the whole catalogue)")
        sp.add_argument("--size", choices=("ci", "full"), default="full", help="run size (default full)")
        sp.add_argument("--output", help="the atlas folder (default ./atlas)")
        sp.add_argument("--catalogue", help="the catalogue folder (default: threats/ of this dltsim)")

    sp = sub.add_parser("run", help="run every threat's study (what is missing), then collect")
    common(sp)
    executor_args(sp, "submit a SLURM job array per threat (then: atlas report)",
                  "array tasks per threat (default: one per missing run)")
    sp.add_argument("--quiet", action="store_true", help="no table of cells")
    sp.set_defaults(func=cmd_run)

    sp = sub.add_parser("collect", help="collect the finished runs; write atlas.h5 and atlas.csv")
    common(sp)
    sp.set_defaults(func=cmd_collect)

    sp = sub.add_parser("report", help="collect, then one HTML page: the matrix, the curves, the provenance")
    common(sp)
    sp.add_argument("-o", help="the page (default <output>/<size>/atlas.html)")
    sp.set_defaults(func=cmd_report)

    sp = sub.add_parser("check", help="compare every threat's study with a baseline; check the closed forms")
    common(sp)
    sp.add_argument("--baseline", required=True, help="folder of baseline study files, <id>.h5")
    sp.add_argument("--z", type=float, help="limit on |difference| / combined SE (default: Bonferroni over the atlas)")
    sp.add_argument("--all", action="store_true", help="print every value, not only those that moved")
    sp.add_argument("--write", action="store_true",
                    help="write the collected studies as the new baseline instead (after an intended change)")
    sp.set_defaults(func=cmd_check)
    return p


def main(argv=None):
    from .study_cli import dispatch
    return dispatch(parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
