"""`dltsim run` re-executes itself with glibc's malloc on transparent huge pages (sim/run/huge_pages.hpp):
the environment of the running simulation says so when the kernel offers them, DLTSIM_HUGE_PAGES=0
keeps normal pages, and the result file is byte-identical either way (no address reaches the
simulation)."""

import filecmp
import os
import subprocess
import time

from clitest import ARGS, check, dltsim, done, scenario, workdir

d = workdir()
try:
    with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
        modes = f.read()
except OSError:  # a kernel or container without THP: nothing to ask for
    modes = "(no transparent_hugepage)"
offered = "[always]" in modes or "[madvise]" in modes


def a_run(env):
    """(GLIBC_TUNABLES, AnonHugePages in KB) of a running simulation, 3 s into a 30,000-node run."""
    out = os.path.join(d, "env.h5")
    proc = subprocess.Popen([ARGS.dltsim, "run", scenario("bitcoin-2019.yaml"), "-o", out, "-q",
                             "--set", "network.nodes=30000", "--set", "general.stop.blocks=100000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    time.sleep(3.0)
    with open(f"/proc/{proc.pid}/environ", "rb") as f:
        variables = dict(v.split(b"=", 1) for v in f.read().split(b"\0") if b"=" in v)
    with open(f"/proc/{proc.pid}/smaps_rollup") as f:
        huge_kb = next(int(line.split()[1]) for line in f if line.startswith("AnonHugePages:"))
    proc.kill()
    proc.wait()
    return variables.get(b"GLIBC_TUNABLES", b"").decode(), huge_kb


base = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "DLTSIM_HUGE_PAGES")}
tunables, huge_kb = a_run(base)
if offered:
    check("glibc.malloc.hugetlb=1" in tunables and huge_kb > 0,
          f"the kernel offers huge pages ({modes.strip()}): the run asks for them ({tunables!r}) and has {huge_kb} KB")
else:
    check(tunables == "", f"the kernel offers no huge pages ({modes.strip()}): nothing asked")
# glibc rewrites GLIBC_TUNABLES once it has read it, keeping the user's part: check that part and the pages.
kept, kept_kb = a_run(dict(base, GLIBC_TUNABLES="glibc.malloc.arena_max=2"))
check("glibc.malloc.arena_max=2" in kept and (kept_kb > 0 or not offered),
      f"the user's own tunables are kept ({kept!r}), huge pages still used ({kept_kb} KB)")
off, off_kb = a_run(dict(base, DLTSIM_HUGE_PAGES="0"))
check(off == "" and ("[madvise]" not in modes or off_kb == 0), f"DLTSIM_HUGE_PAGES=0: normal pages ({off_kb} KB huge)")

a, b = os.path.join(d, "huge.h5"), os.path.join(d, "normal.h5")
sets = ["--set", "network.nodes=2000", "--set", "general.stop.blocks=10"]
dltsim("run", scenario("quickstart.yaml"), "-o", a, "-q", *sets, env=base)
dltsim("run", scenario("quickstart.yaml"), "-o", b, "-q", *sets, env=dict(base, DLTSIM_HUGE_PAGES="0"))
check(filecmp.cmp(a, b, shallow=False), "byte-identical results with and without huge pages")
done()
