"""SIGINT during a run: exit 130, nothing under the final name, an incomplete file with what was recorded."""

import os
import signal
import subprocess
import time

import h5py

from clitest import ARGS, check, done, scenario, workdir

d = workdir()
out = os.path.join(d, "run.h5")
proc = subprocess.Popen([ARGS.dltsim, "run", scenario("bitcoin-2019.yaml"), "-o", out, "--no-progress",
                         "--set", "network.nodes=3000"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
time.sleep(4)
proc.send_signal(signal.SIGINT)
stdout, stderr = proc.communicate(timeout=120)
check(proc.returncode == 130, f"exit code 130 after SIGINT (got {proc.returncode}): {stderr.strip()}")
check(not os.path.exists(out), "no file under the name of a complete result")
incomplete = os.path.join(d, "run.incomplete.h5")
check(os.path.exists(incomplete), "the incomplete file exists")
if os.path.exists(incomplete):
    with h5py.File(incomplete, "r") as f:
        status = f["provenance"].attrs["status"]
        check(status in (b"incomplete", "incomplete"), "it is marked incomplete")
        check(f["arrivals"].shape[0] > 0, f"it keeps the {f['arrivals'].shape[0]} arrivals recorded so far")
        check(f["summary"].attrs["blocks_produced"] < 100, "the run was cut short")
done()
