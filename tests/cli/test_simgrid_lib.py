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
if loaded.startswith(SYSTEM_LIB_DIR):
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
done()
