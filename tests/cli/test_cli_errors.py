"""What a user sees on bad input: exit code 2, file:line:column, key path, allowed values; nothing written."""

import os

from clitest import check, dltsim, done, scenario, workdir

d = workdir()
bad = os.path.join(d, "bad.yaml")
with open(bad, "w") as f:
    f.write("general:\n  stop:\n    blocks: 5\nnetwork:\n  preset: bitcoin-2019\n  nodes: 30\n"
            "consensus:\n  protocol: nakamoto\n  params:\n    block_size: \"1 MiB\"\n    tie_break: coin\n"
            f"output:\n  path: {os.path.join(d, 'never.h5')}\n")

r = dltsim("validate", bad, check=False)
check(r.returncode == 2, f"validate exits 2 on a bad scenario (got {r.returncode})")
check(f"{bad}:11:16: consensus.params.tie_break: 'coin' is not allowed: one of: first_seen, random" in r.stderr,
      "the error names file:line:column, key path and allowed values: " + r.stderr.strip())

r = dltsim("run", bad, check=False)
check(r.returncode == 2, "run exits 2 on a bad scenario")
check(not os.path.exists(os.path.join(d, "never.h5")), "nothing is written for a bad scenario")

r = dltsim("validate", scenario("quickstart.yaml"))
check(r.stdout.strip() == "ok", "validate prints ok for a good scenario")
r = dltsim("validate", scenario("quickstart.yaml"), "--set", "network.nodes=abc", check=False)
check(r.returncode == 2 and "--set network.nodes=abc: network.nodes: expected an integer, got 'abc'" in r.stderr,
      "an override error names the override: " + r.stderr.strip())

r = dltsim("run", os.path.join(d, "missing.yaml"), check=False)
check(r.returncode == 2 and "cannot read scenario file" in r.stderr, "a missing file is a clear error")
r = dltsim("run", scenario("quickstart.yaml"), "-o", "/nonexistent/dir/x.h5", check=False)
check(r.returncode == 2 and "-o '/nonexistent/dir/x.h5': the output directory '/nonexistent/dir' does not exist"
      in r.stderr, "a missing output directory is a clear error before the run: " + r.stderr.strip())

# An empty -o is an error like an empty output.path, not the scenario's own path.
for cmd in ("run", "validate"):
    r = dltsim(cmd, scenario("quickstart.yaml"), "-o", "", check=False)
    check(r.returncode == 2 and "-o '': the output path is empty" in r.stderr,
          f"{cmd} -o '': exit {r.returncode}, {r.stderr.strip()}")
check(not os.path.exists("quickstart.h5"), "run -o '' wrote nothing under the scenario's default name")

# A setting that has no effect is a located warning from validate and run; the run still goes.
warn = os.path.join(d, "inert.yaml")
with open(warn, "w") as f:
    f.write("general: {stop: {blocks: 2}}\nnetwork:\n  preset: bitcoin-2019\n  nodes: 60\n"
            "  peers: {block_relay_only: 0, anchors: true}\n"
            "consensus:\n  protocol: nakamoto\n  params: {tie_gamma: 0.9}\n")
r = dltsim("validate", warn, check=False)
expected = [f"dltsim: warning: {warn}:5:41: network.peers.anchors: has no effect with block_relay_only: 0",
            f"dltsim: warning: {warn}:8:23: consensus.params.tie_gamma: has no effect unless tie_break is gamma "
            "(it is first_seen)"]
check(r.returncode == 0 and r.stdout.strip() == "ok" and all(e in r.stderr for e in expected),
      f"validate warns of settings without effect, located: {r.stderr.strip()}")
r = dltsim("run", warn, "-o", os.path.join(d, "inert.h5"), "--no-progress", check=False)
check(r.returncode == 0 and all(e in r.stderr for e in expected), "run warns the same and runs")
r = dltsim("run", warn, "-o", os.path.join(d, "inert.h5"), "-q", check=False)
check(r.returncode == 0 and r.stderr == "", "-q keeps run quiet")
r = dltsim("validate", warn, "--set", "consensus.params.tie_break=gamma", "--set", "network.peers.block_relay_only=2")
check("warning" not in r.stderr, "no warning once the settings take effect")

r = dltsim("list")
lines = r.stdout.strip().splitlines()
check(any(l.startswith("protocol  nakamoto") for l in lines), "list shows the nakamoto protocol")
check(any(l.startswith("preset    bitcoin-2019") for l in lines), "list shows the bitcoin-2019 preset")
r = dltsim("describe", "nakamoto")
check("block_interval" in r.stdout and "600 s" in r.stdout and "(0, inf) s" in r.stdout,
      "describe shows name, default and range")
r = dltsim("describe", "bitcoin-2019")
check("arXiv:1901.09777" in r.stdout, "describe of a preset cites its sources")
r = dltsim("describe", "nothing", check=False)
check(r.returncode == 2 and "nothing named 'nothing'" in r.stderr, "describe of an unknown name is an error")
r = dltsim("frobnicate", check=False)
check(r.returncode == 2, "an unknown subcommand exits 2")
done()
