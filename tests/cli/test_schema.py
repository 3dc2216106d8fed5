"""The scenario schema is declared once per section (sim/scenario/scenario_sections.cpp):
- docs/scenario-schema.md is what `dltsim describe --markdown sections` prints (regenerate it with that command);
- the resolved scenario the writer emits is read back by the reader to the same resolved scenario (a fixed point),
  for every shipped scenario: reading and writing come from one list, so they cannot disagree;
- every key `describe` lists for a section is accepted there, and an unknown key's error lists the same keys."""

import os
import re

from clitest import ARGS, check, dltsim, done, scenario, workdir

docs = os.path.join(os.path.dirname(os.path.abspath(ARGS.scenarios)), "docs", "scenario-schema.md")
generated = dltsim("describe", "--markdown", "sections").stdout
with open(docs) as f:
    check(f.read() == generated, "docs/scenario-schema.md is current (regenerate: dltsim describe --markdown sections)")

tmp = workdir()
shipped = sorted(f for f in os.listdir(ARGS.scenarios) if f.endswith(".yaml"))
for name in shipped:
    first = dltsim("validate", "--resolved", scenario(name)).stdout
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(first)
    second = dltsim("validate", "--resolved", path).stdout
    check(first == second, f"{name}: the resolved scenario reads back to itself")

listed = dltsim("describe", "network.peers").stdout.splitlines()[3:]
keys = [line.split()[0] for line in listed if line.strip()]
check(len(keys) == 17, f"describe network.peers lists its 17 keys ({len(keys)})")
r = dltsim("validate", scenario("quickstart.yaml"), "--set", "network.peers={bogus: 1}", check=False)
allowed = re.search(r"allowed keys: (.*)", r.stderr).group(1).split(", ")
check(r.returncode == 2 and allowed == keys, "an unknown key's error lists the keys describe documents")
for key in keys:
    value = {"anchors": "true", "feelers": "true", "test_before_evict": "false", "feeler_interval": "5 min",
             "retry": "2 min", "max_inbound": "30", "groups": "prefix", "distinct_groups": "true"}.get(key, "3")
    r = dltsim("validate", scenario("quickstart.yaml"), "--set", f"network.peers.{key}={value}", check=False)
    check(r.returncode == 0, f"network.peers.{key} is accepted: {r.stderr.strip()[:200]}")

r = dltsim("validate", scenario("quickstart.yaml"), "--set", "network.peers={max_inbound: 3}", check=False)
check(r.returncode == 2 and "network.peers.max_inbound" in r.stderr and "10 outbound connections" in r.stderr,
      "an inbound cap below network.peers' own degree blames network.peers, not the preset")
r = dltsim("validate", scenario("quickstart.yaml"), "--set",
           "consensus.power={distribution: equal, mean: 2}", check=False)
check(r.returncode == 2 and "consensus.power.mean: applies only with distribution: normal (here distribution: equal)"
      in r.stderr, "a key of another distribution is refused, naming the value it needs")
r = dltsim("describe", "consensus.power").stdout
check("only with distribution: normal" in r, "describe says which keys depend on the distribution")
done()
