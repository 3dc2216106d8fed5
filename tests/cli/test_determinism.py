"""Same scenario and seed -> byte-identical HDF5; another seed -> a different run."""

import filecmp
import os

from clitest import check, dltsim, done, scenario, summary, workdir

d = workdir()
a, b, c = (os.path.join(d, n) for n in ("a.h5", "b.h5", "c.h5"))
dltsim("run", scenario("quickstart.yaml"), "-o", a, "--seed", "7", "--no-progress")
dltsim("run", scenario("quickstart.yaml"), "-o", b, "--seed", "7", "--no-progress")
dltsim("run", scenario("quickstart.yaml"), "-o", c, "--seed", "8", "--no-progress")
check(filecmp.cmp(a, b, shallow=False), "two runs with seed 7 give byte-identical files")
check(not filecmp.cmp(a, c, shallow=False), "seed 8 gives a different file")
sa, sc = summary(a), summary(c)
check(sa["propagation_p50_s"] != sc["propagation_p50_s"], "seed 8 gives different propagation times")
check(not os.path.exists(a + ".partial"), "no temporary file is left behind")

# Common random numbers: mining has its own stream per node, so the same seed gives the same mining
# times whatever else changes (here the block size and compact relay, hence every propagation).
import numpy as np  # noqa: E402
import h5py  # noqa: E402


def mined(path):
    with h5py.File(path, "r") as f:
        b = f["blocks"][()]
    return sorted(zip(b["miner"].tolist(), b["time_s"].tolist()))


e, g = os.path.join(d, "e.h5"), os.path.join(d, "g.h5")
dltsim("run", scenario("quickstart.yaml"), "-o", e, "--seed", "7", "-q", "--set", "consensus.params.block_size=2 MB",
       "--set", "consensus.params.compact_blocks=false")
check(mined(a) == mined(e), "another block size and relay: the same miners find blocks at the same times")
check(summary(a)["propagation_p50_s"] != summary(e)["propagation_p50_s"], "  while propagation differs")

# The resolved scenario in the file (every default written out) reruns the same experiment.
with h5py.File(a, "r") as f:
    resolved = f["provenance/resolved_yaml"][()].decode()
path = os.path.join(d, "resolved.yaml")
with open(path, "w") as f:
    f.write(resolved)
dltsim("run", path, "-o", g, "-q")
with h5py.File(a, "r") as x, h5py.File(g, "r") as y:
    same = all(np.array_equal(x[t][()], y[t][()], equal_nan=False) or
               all(np.array_equal(x[t][c], y[t][c], equal_nan=x[t][c].dtype.kind == "f") for c in x[t].dtype.names)
               for t in ("blocks", "arrivals", "nodes", "miners", "messages"))
check(same, "provenance/resolved_yaml, run again, gives the same tables")
done()
