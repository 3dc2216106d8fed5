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
done()
