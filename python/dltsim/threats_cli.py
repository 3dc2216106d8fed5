"""`dltsim threats`: the threat catalogue (threats/*.yaml). `dltsim threats` lists it;
`dltsim threats describe ID` prints one entry with its sources; `dltsim threats validate` checks
every entry (and each study it makes) without running anything.

Exit codes: 0 success; 2 bad input (an entry that does not load, an unknown id).
"""

import argparse
import sys


EXIT_OK = 0


def _short(text, n):
    return text if len(text) <= n else text[:n - 1] + "…"


def cmd_list(args):
    from .threats import load_catalogue
    threats = load_catalogue(args.catalogue)
    print(f"{'id':24} {'X.1401':7} {'X.1402':7} {'attacks':26} mitigations")
    for t in threats:
        print(f"{t.id:24} {t.x1401:7} {t.x1402:7} {_short(', '.join(t.attacks), 26):26} "
              f"{', '.join(m.id for m in t.mitigations)}")
    print(f"{len(threats)} threats, {sum(len(t.mitigations) for t in threats)} mitigations "
          f"(dltsim threats describe ID)")
    return EXIT_OK


def cmd_describe(args):
    from .threats import describe, load_catalogue
    for t in load_catalogue(args.catalogue, args.ids):
        print(describe(t))
        print()
    return EXIT_OK


def cmd_validate(args):
    import tempfile

    from .atlas import prepare
    from .threats import load_catalogue
    threats = load_catalogue(args.catalogue, args.ids or None)
    with tempfile.TemporaryDirectory() as out:
        for size in ("ci", "full"):
            studies = prepare(threats, size, out, check=True)
            runs = sum(len(s.runs) for s in studies)
            print(f"{size}: {len(studies)} studies, {runs} runs, every scenario valid")
    return EXIT_OK


def parser():
    p = argparse.ArgumentParser(prog="dltsim threats", description="the threat catalogue (X.1401 / X.1402)")
    p.add_argument("--catalogue", help="the catalogue folder (default: threats/ of this dltsim)")
    sub = p.add_subparsers(dest="command")
    sp = sub.add_parser("list", help="one line per threat (the default)")
    sp.set_defaults(func=cmd_list)
    sp = sub.add_parser("describe", help="entries with their sources")
    sp.add_argument("ids", nargs="+", metavar="ID")
    sp.set_defaults(func=cmd_describe)
    sp = sub.add_parser("validate", help="load every entry and check every run of its studies")
    sp.add_argument("ids", nargs="*", metavar="ID")
    sp.set_defaults(func=cmd_validate)
    p.set_defaults(func=cmd_list)
    return p


def main(argv=None):
    from .study_cli import dispatch
    return dispatch(parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
