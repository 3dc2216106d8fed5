"""Where results go and how they get there: a file under its final name is always a complete result
of the run that names it, nothing else is ever replaced, and a write failure anywhere is a clear
error that leaves nothing behind."""

import filecmp
import glob
import os
import resource
import signal
import stat
import subprocess

import h5py

from clitest import ARGS, check, dltsim, done, workdir

d = workdir()
tiny = os.path.join(d, "tiny.yaml")
with open(tiny, "w") as f:
    f.write("general: {seed: 3, stop: {blocks: 5}}\n"
            "network: {preset: bitcoin-2019, nodes: 40}\n"
            "consensus: {protocol: nakamoto}\n")


def leftovers(path):
    """Temporary files of a result path that a run left behind."""
    return glob.glob(glob.escape(path) + ".*.partial")


def run(out, *extra, env=None, **kwargs):
    return subprocess.run([ARGS.dltsim, "run", tiny, "-o", out, "-q", *extra], capture_output=True, text=True,
                          env=env, **kwargs)


def seed_of(path):
    with h5py.File(path, "r") as f:
        return int(f["provenance"].attrs["seed"])


# --- paths refused before anything runs, by run and by validate -------------------------------------
fifo = os.path.join(d, "fifo")
os.mkfifo(fifo)
readonly = os.path.join(d, "readonly.h5")
with open(readonly, "w") as f:
    f.write("precious")
os.chmod(readonly, 0o444)
target = os.path.join(d, "target.txt")
with open(target, "w") as f:
    f.write("precious")
link = os.path.join(d, "link.h5")
os.symlink(target, link)
os.makedirs(os.path.join(d, "adir.h5"))
os.makedirs(os.path.join(d, "blocked.incomplete.h5"))
refused = {
    os.path.join(d, "adir.h5"): "is a directory",
    d + "/": "ends with '/'",
    "/dev/null": "is a character device",
    fifo: "is a FIFO",
    link: "is a symbolic link",
    tiny: "is the scenario file itself",
    readonly: "exists and is read-only",
    os.path.join(d, "missing", "x.h5"): "does not exist",
    os.path.join(d, "blocked.h5"): "an interrupted run would write",
    os.path.join(d, "x" * 250 + ".h5"): "bytes long",
}
for path, why in refused.items():
    for command in ("run", "validate"):
        r = dltsim(command, tiny, "-o", path, check=False)
        check(r.returncode == 2 and why in r.stderr and "-o '" in r.stderr,
              f"{command} -o {path[:60]}: exit 2, '{why}' ({r.stderr.strip()[:160]})")
st = os.stat("/dev/null")
check(stat.S_ISCHR(st.st_mode), "/dev/null is still a device")
with open(readonly) as f:
    check(f.read() == "precious", "the read-only file is untouched")
with open(target) as f:
    check(f.read() == "precious", "the symlink's target is untouched")

# The same checks for output.path in the scenario, located at its line; and an empty path.
for value, why in (('""', "the output path is empty"), ('"a\\0b.h5"', "contains a NUL byte"),
                   ('"/dev/null"', "is a character device")):
    bad = os.path.join(d, "bad-output.yaml")
    with open(bad, "w") as f:
        f.write(open(tiny).read() + f"output:\n  path: {value}\n")
    r = dltsim("validate", bad, check=False)
    check(r.returncode == 2 and f"{bad}:5:9: output.path: " in r.stderr and why in r.stderr,
          f"output.path: {value}: located, '{why}' ({r.stderr.strip()[:160]})")

# --- the policy for an existing regular file: replaced when writable --------------------------------
existing = os.path.join(d, "existing.h5")
with open(existing, "w") as f:
    f.write("old")
r = run(existing)
check(r.returncode == 0 and seed_of(existing) == 3, "a writable existing file is replaced by the result")

# --- a planted symlink at the old predictable temporary name is never followed ----------------------
victim = os.path.join(d, "victim.txt")
with open(victim, "w") as f:
    f.write("precious")
planted = os.path.join(d, "planted.h5")
os.symlink(victim, planted + ".partial")
r = run(planted)
with open(victim) as f:
    check(r.returncode == 0 and f.read() == "precious", "a symlink planted at <path>.partial is not followed")
check(os.path.islink(planted + ".partial") and not leftovers(planted), "the temporary file was a fresh, private one")

# --- a stale .incomplete.h5 of an earlier run goes when a run completes -----------------------------
stale = os.path.join(d, "stale.incomplete.h5")
with open(stale, "w") as f:
    f.write("interrupted earlier")
r = run(os.path.join(d, "stale.h5"))
check(r.returncode == 0 and not os.path.exists(stale), "a complete run removes the stale incomplete file")

# --- two runs writing the same path at once ---------------------------------------------------------
solo = {}
for seed in (11, 12):
    solo[seed] = os.path.join(d, f"solo{seed}.h5")
    run(solo[seed], "--seed", str(seed), "--set", "network.nodes=300")
shared = os.path.join(d, "shared.h5")
for attempt in range(3):
    procs = [subprocess.Popen([ARGS.dltsim, "run", tiny, "-o", shared, "-q", "--seed", str(seed),
                               "--set", "network.nodes=300"]) for seed in (11, 12)]
    codes = [p.wait() for p in procs]
    seed = seed_of(shared)
    check(codes == [0, 0] and filecmp.cmp(shared, solo[seed], shallow=False),
          f"concurrent runs: the surviving file is exactly the seed-{seed} run's (attempt {attempt + 1})")
check(not leftovers(shared), "concurrent runs leave no temporary file")

# --- a full disk: every write, sync, close and rename failing in turn -------------------------------
if ARGS.fail_io:
    count_file = os.path.join(d, "count")
    env = dict(os.environ, LD_PRELOAD=ARGS.fail_io, DLTSIM_COUNT_FILE=count_file)
    out = os.path.join(d, "faulty.h5")
    r = run(out, env=env)
    calls = int(open(count_file).read())
    check(r.returncode == 0 and calls > 10, f"the fault injector sees the run's {calls} file operations")
    os.remove(out)
    for n in range(1, calls + 1):
        r = run(out, env=dict(env, DLTSIM_FAIL_AT=str(n)))
        ok = (r.returncode in (1, 2) and f"'{out}'" in r.stderr
              and ("No space left on device" in r.stderr or "Input/output error" in r.stderr)
              and not os.path.exists(out) and not leftovers(out))
        check(ok, f"file operation {n} of {calls} fails: exit {r.returncode}, nothing left "
                  f"({r.stderr.strip()[:150]})")

# A real limit on the file size (the kernel refuses the write), without the injector: RLIMIT_FSIZE.
def limited(size):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return apply


for size in (2000, 20000):
    out = os.path.join(d, f"limited{size}.h5")
    r = run(out, "--set", "network.nodes=300", preexec_fn=limited(size))
    check(r.returncode == 1 and "File too large" in r.stderr and f"'{out}'" in r.stderr
          and not os.path.exists(out) and not leftovers(out),
          f"a {size}-byte file size limit: exit 1, path and cause named, nothing left ({r.stderr.strip()[:150]})")

# A full file system, where this machine lets us mount one (root with CAP_SYS_ADMIN).
mnt = os.path.join(d, "tmpfs")
os.makedirs(mnt)
if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", mnt], capture_output=True).returncode == 0:
    try:
        out = os.path.join(mnt, "full.h5")
        r = run(out, "--set", "network.nodes=300")
        check(r.returncode == 1 and "No space left on device" in r.stderr and not os.listdir(mnt),
              f"a full disk: exit 1, no crash, nothing left ({r.stderr.strip()[:150]})")
    finally:
        subprocess.run(["umount", mnt])
else:
    print("skip  a real full disk (cannot mount a tmpfs here)")
done()
