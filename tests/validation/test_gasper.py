"""Gasper in the normal case against what the specification implies (issue 26).

With every node honest and online and blocks reaching all nodes within the attestation deadline
(4 s; 200 nodes here, blocks arrive within about 2 s), the protocol's timeline is fixed:
- every slot's proposer sees the previous block, so every slot has a block, none is orphaned and no
  honest node reorganises;
- every attester votes for that block and the checkpoint of its epoch, the slot's aggregate reaches
  every proposer within the slot, and the next block includes it: the chain includes every
  committee's vote (inclusion 1);
- FFG: the end of epoch e (processed by the first block of e + 1) justifies e with e - 1 justified
  the epoch before, so the first block of epoch e + 2 finalises e: 2 x 32 x 12 s = 768 s after the
  start of e, for every epoch from 2 (the state transition skips epochs 0 and 1).
These are exact consequences of the rules, not statistics: the test asserts them exactly, for every
slot and every epoch of the run, and that a second run writes the same bytes.
"""

import filecmp
import math
import os
import sys

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import ARGS, check, dltsim, done, summary, workdir  # noqa: E402

d = workdir()


def run(name):
    out = os.path.join(d, name)
    dltsim("run", os.path.join(ARGS.scenarios, "gasper.yaml"), "-o", out, "-q",
           "--set", "network.nodes=200", "--set", "consensus.params.validators=100000",
           "--set", "general.stop.time=45 min")
    return out


out = run("a.h5")
s = summary(out)
check(s["slots"] == 224, f"224 slots ended in 45 min ({s['slots']})")
check(s["slots_with_block"] == s["slots"], f"every slot has a canonical block ({s['slots_with_block']})")
check(s["blocks_orphaned"] == 0 and s["reorgs"] == 0, f"no orphan ({s['blocks_orphaned']}), no reorg ({s['reorgs']})")
check(s["attestation_inclusion"] == 1, f"every committee's vote is included ({s['attestation_inclusion']})")
check(s["block_arrival_p90_s"] < 4, f"blocks arrive within the attestation deadline (p90 {s['block_arrival_p90_s']:.2f} s)")
with h5py.File(out, "r") as f:
    epochs = f["epochs"][()]
checked = 0
for row in epochs:
    e, start, finalized = int(row["epoch"]), row["start_s"], row["finalized_at_s"]
    if e < 2 or start + 768 > 2700:
        continue
    check(math.isclose(finalized - start, 768), f"epoch {e} finalised {finalized - start:.0f} s after its start (768)")
    check(math.isclose(row["target_share"], 1), f"epoch {e}: all stake attested to its checkpoint ({row['target_share']})")
    checked += 1
check(checked == 4, f"{checked} epochs checked")
check(s["time_to_finality_mean_s"] == 768, f"mean time to finality {s['time_to_finality_mean_s']} s")
check(filecmp.cmp(out, run("b.h5"), shallow=False), "a second run writes the same bytes")
done()
