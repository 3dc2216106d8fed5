"""SIGINT or SIGTERM during a run: exit 130, nothing under the final name, an incomplete file with
what was recorded; during set-up (before anything is written): exit at once, nothing written."""

import glob
import os
import signal
import subprocess
import time

import h5py

from clitest import ARGS, check, done, scenario, workdir

d = workdir()


def start(out, nodes):
    return subprocess.Popen([ARGS.dltsim, "run", scenario("bitcoin-2019.yaml"), "-o", out, "--no-progress",
                             "--set", f"network.nodes={nodes}", "--set", "general.stop.blocks=100000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


for sig in (signal.SIGINT, signal.SIGTERM):
    name = signal.Signals(sig).name
    out = os.path.join(d, f"run-{name}.h5")
    proc = start(out, 3000)
    time.sleep(4)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    check(proc.returncode == 130, f"{name}: exit code 130 (got {proc.returncode}): {stderr.strip()[:200]}")
    check(not os.path.exists(out), f"{name}: no file under the name of a complete result")
    check(not glob.glob(glob.escape(out) + ".*.partial"), f"{name}: no temporary file left")
    incomplete = os.path.join(d, f"run-{name}.incomplete.h5")
    check(os.path.exists(incomplete), f"{name}: the incomplete file exists")
    if os.path.exists(incomplete):
        with h5py.File(incomplete, "r") as f:
            status = f["provenance"].attrs["status"]
            check(status in (b"incomplete", "incomplete"), f"{name}: it is marked incomplete")
            check(f["arrivals"].shape[0] > 0, f"{name}: it keeps the {f['arrivals'].shape[0]} arrivals recorded so far")
            check(f["summary"].attrs["blocks_produced"] < 100000, f"{name}: the run was cut short")

# While the network of a large run is being built nothing has been written: the process ends at once.
out = os.path.join(d, "setup.h5")
proc = start(out, 300000)
time.sleep(1.5)
proc.send_signal(signal.SIGTERM)
stdout, stderr = proc.communicate(timeout=120)
check(proc.returncode == 128 + signal.SIGTERM and "nothing was written" in stderr,
      f"SIGTERM during set-up: exit {proc.returncode}, '{stderr.strip()[:120]}'")
check(not os.listdir(d) or not any(f.startswith("setup") for f in os.listdir(d)), "set-up interrupted: no file at all")
done()
