"""The threat catalogue (threats/): every entry loads and makes valid studies at both sizes; the
catalogue holds at least 18 threats with a mitigation each, spread over X.1401's three clauses;
`dltsim threats` lists and describes them; the malformed corpus (tests/threats/malformed/) is refused
with located errors; and the atlas's cell statistics are right on numbers worked by hand.

Each corpus file ends with '# expect: text' that the error must contain (after file:line:column)."""

import glob
import math
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import ARGS, check, done, workdir  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
d = workdir()


def threats(*args):
    r = subprocess.run([ARGS.dltsim, "threats", *args], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


# 1. The catalogue as shipped.
code, out, err = threats()
check(code == 0, f"dltsim threats lists the catalogue (exit {code}) {err.strip()[:300]}")
rows = [line.split() for line in out.splitlines()[1:-1]]
check(len(rows) >= 18, f"{len(rows)} threats (at least 18)")
check(all(len(r) >= 5 for r in rows), "every threat has at least one mitigation")
check({r[1] for r in rows} == {"6.1", "6.2", "6.3"}, "threats in all three X.1401 clauses (protocols, networks, data)")
code, out, err = threats("validate")
check(code == 0 and "ci: " in out and "full: " in out, f"every study of every entry validates at both sizes: {out.strip()} "
      f"{err.strip()[:500]}")
code, out, err = threats("describe", "selfish-mining", "double-spending")
check(code == 0 and "X.1402 9.4.3 Selfish mining attack defence" in out and "sources:" in out
      and "Rosenfeld" in out, "describe prints the clauses, the mitigations and the sources")
code, out, err = threats("describe", "no-such-threat")
check(code == 2 and "unknown threat(s) no-such-threat" in err and "selfish-mining" in err,
      f"an unknown id is an input error naming the known ones ({code}: {err.strip()[:200]})")

# 2. The malformed corpus, one file at a time in a catalogue folder of its own.
files = sorted(glob.glob(os.path.join(HERE, "malformed", "*.yaml")))
check(len(files) >= 20, f"{len(files)} malformed entries")
os.symlink(os.path.join(ROOT, "scenarios"), os.path.join(d, "scenarios"))
for path in files:
    name = os.path.basename(path)
    text = open(path, encoding="utf-8").read()
    expect = re.search(r"^# expect: (.*)$", text, re.M).group(1)
    cat = os.path.join(d, "threats")
    shutil.rmtree(cat, ignore_errors=True)
    os.makedirs(cat)
    shutil.copy(path, cat)
    code, out, err = threats("--catalogue", cat, "validate")
    located = re.search(re.escape(name) + r":\d+:\d+: ", err) is not None
    check(code == 2 and expect in err and (located or "study.yaml" in err),
          f"{name}: refused with '{expect}' (exit {code}: {err.strip()[:300]})")

# 3. Cell statistics on numbers worked by hand (dltsim.atlas.paired_cell).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(ARGS.dltsim)), "python"))
from dltsim.atlas import paired_cell  # noqa: E402

c = paired_cell([2, 4, 6, 8], [1, 2, 3, 4])
check(abs(c["reduction"] - 0.5) < 1e-12 and c["reduction_se"] < 1e-6 and c["diff_mean"] == -2.5 and c["pairs"] == 4,
      f"on = off / 2 on every seed: reduction 0.5 exactly, no spread ({c['reduction']}, {c['reduction_se']})")
c = paired_cell([10, 12, 14], [9, 12, 15], harm="higher")
# rho = 12 / 12 = 1; var = (var(on) - 2 cov + var(off)) / (n off^2) = (9 - 2 * 6 + 4) / (3 * 144)
check(abs(c["reduction"]) < 1e-15 and abs(c["reduction_se"] - math.sqrt(1 / 432)) < 1e-12,
      f"delta-method standard error sqrt(1/432) = {math.sqrt(1 / 432):.6f} ({c['reduction_se']:.6f})")
c = paired_cell([100, 110], [150, 170], harm="lower")
check(abs(c["reduction"] - (160 / 105 - 1)) < 1e-12, "a smaller-is-harm impact: the reduction is on / off - 1")
c = paired_cell([0, 0, 0], [0, 0, 0])
check(math.isnan(c["reduction"]) and c["diff_mean"] == 0 and c["diff_low"] == 0 and "nothing to reduce" in c["note"],
      "no harm without the mitigation: the difference 0 [0, 0], the reduction NaN with a note")
c = paired_cell([1, None, 3, float("nan")], [0.5, 1, 1.5, 2])
check(c["pairs"] == 2, "only replications with both values pair up")
done()
