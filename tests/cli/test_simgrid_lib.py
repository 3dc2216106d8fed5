"""The rebuilt SimGrid (scripts/build-simgrid.sh: the comm list made a set) gives the same results as
Debian's: the same runs, one with the library dltsim was built to load and one forced onto the
system library (LD_LIBRARY_PATH comes before RUNPATH), must write byte-identical files. Without the
rebuilt library there is nothing to compare and the test says so."""

import filecmp
import os

from clitest import ARGS, check, dltsim, done, scenario, workdir

SYSTEM_LIB_DIR = "/usr/lib/x86_64-linux-gnu"
d = workdir()


def library(env=None):
    r = dltsim("--version", env=env)
    return r.stdout.strip().splitlines()[-1].split(": ", 1)[1]


loaded = library()
system_env = dict(os.environ, LD_LIBRARY_PATH=SYSTEM_LIB_DIR)
if loaded.startswith(("/lib/", "/usr/lib/")):  # Debian merges /lib into /usr/lib
    check(True, f"the system SimGrid is in use ({loaded}): nothing to compare")
else:
    check(library(system_env).startswith(SYSTEM_LIB_DIR), f"LD_LIBRARY_PATH selects the system library ({loaded} otherwise)")
    runs = [
        ("quickstart", scenario("quickstart.yaml"), ["--set", "network.nodes=2000", "--set", "general.stop.blocks=15"]),
        ("selfish-mining", scenario("selfish-mining-bitcoin.yaml"), ["--set", "network.nodes=300",
                                                                      "--set", "general.stop.blocks=60"]),
        ("hotstuff", scenario("bft-silent-leader.yaml"), ["--set", "general.stop.time=60 s"]),
    ]
    for name, path, sets in runs:
        a, b = os.path.join(d, f"{name}-rebuilt.h5"), os.path.join(d, f"{name}-system.h5")
        dltsim("run", path, "-o", a, "-q", *sets)
        dltsim("run", path, "-o", b, "-q", *sets, env=system_env)
        check(filecmp.cmp(a, b, shallow=False), f"{name}: rebuilt and system SimGrid, byte-identical files")

# A run large enough for the system library's comm list to matter says so once, with the command
# that builds the faster library; a small run, a run without flows and a quiet run say nothing.
big = ["--set", "network.nodes=20000", "--set", "general.stop.time=1 s", "--no-progress"]
out = os.path.join(d, "big.h5")
r = dltsim("run", scenario("bitcoin-2019.yaml"), "-o", out, *big, env=system_env)
check(r.stderr.count("dltsim: note: 20000 nodes with SimGrid flows on the system SimGrid 3.32") == 1
      and "bash scripts/build-simgrid.sh" in r.stderr, f"20,000 nodes on the system library: a note ({r.stderr.strip()[:120]})")
for what, extra in (("1,000 nodes", ["--set", "network.nodes=1000"]), ("contention none", ["--set", "network.contention=none"]),
                    ("-q", ["-q"])):
    r = dltsim("run", scenario("bitcoin-2019.yaml"), "-o", out, *big, *extra, env=system_env)
    check("note" not in r.stderr, f"{what}: no note")
r = dltsim("run", scenario("bitcoin-2019.yaml"), "-o", out, *big)
on_system = loaded.startswith(("/lib/", "/usr/lib/"))
check(("note" in r.stderr) == on_system, f"with the library dltsim loads ({loaded}): a note only if it is the system one")
done()
