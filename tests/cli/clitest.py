"""Helpers for the command-line tests: run the dltsim binary like a user and read its HDF5 output."""

import argparse
import os
import subprocess
import sys
import tempfile

import h5py


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--dltsim", required=True)
    p.add_argument("--scenarios", required=True)
    p.add_argument("--fail-io", default="", help="the fault-injection library (tests/faults/fail_io.c)")
    return p.parse_args()


ARGS = parse_args()


def scenario(name):
    return os.path.join(ARGS.scenarios, name)


def dltsim(*args, check=True, **kwargs):
    """Runs dltsim with args; returns the CompletedProcess (text mode)."""
    r = subprocess.run([ARGS.dltsim, *args], capture_output=True, text=True, **kwargs)
    if check and r.returncode != 0:
        sys.exit(f"dltsim {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def summary(path):
    with h5py.File(path, "r") as f:
        return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f["summary"].attrs.items()}


def workdir():
    return tempfile.mkdtemp(prefix="dltsim-test-")


failures = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        failures.append(message)


def done():
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    print("all checks passed")
