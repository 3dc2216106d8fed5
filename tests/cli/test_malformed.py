"""The corpus of malformed scenarios (tests/malformed/): each file ends with the error it must give,
as '# expect: {file}:line:column: key.path: message'. validate and run must both reject it with
exactly that message and exit code 2, and run must write nothing. The same files seed the fuzzer."""

import glob
import os

from clitest import check, dltsim, done, workdir

corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "malformed")
files = sorted(glob.glob(os.path.join(corpus, "*.yaml")))
check(len(files) >= 25, f"the corpus holds {len(files)} malformed scenarios")
for path in files:
    with open(path, encoding="utf-8") as f:
        last = f.read().rstrip("\n").splitlines()[-1]
    name = os.path.basename(path)
    if not last.startswith("# expect: "):
        check(False, f"{name}: its last line is '# expect: ...'")
        continue
    expected = "dltsim: error: " + last.removeprefix("# expect: ").replace("{file}", path) + "\n"
    r = dltsim("validate", path, check=False)
    check(r.returncode == 2 and r.stderr == expected,
          f"{name}: validate: {r.stderr.strip()[:200] if r.stderr != expected else 'as expected'}")
    d = workdir()
    r = dltsim("run", path, "-o", os.path.join(d, "x.h5"), "-q", check=False)
    check(r.returncode == 2 and r.stderr == expected and not os.listdir(d),
          f"{name}: run gives the same error and writes nothing")
done()
