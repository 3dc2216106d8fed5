// Gasper on a relayed network, one simulation per process, so that the sanitizer build runs the
// protocol's paths too (gossip, orphan blocks waiting for their parent, delayed aggregates, pulled-up
// tips) and the ex-ante reorg's withholding and release.

#include <catch2/catch.hpp>

#include <string>

#include "tests/sim/run_yaml.hpp"

using namespace dltsim;

namespace {

// 60 nodes on one region, 4 outbound connections each (about 8 peers), 100 ms latency.
const std::string kBeaconNetwork = R"(
network:
  nodes: 60
  regions: [{name: A, share: 1, download: "50 Mbit/s", upload: "20 Mbit/s"}]
  latency: {uniform: "100 ms"}
  contention: upload
  topology: {outbound: 4}
)";

}  // namespace

TEST_CASE("Gasper on a relayed network: a block every slot and epochs finalised") {
  const RunResult r = testing::run_yaml(R"(general: {seed: 5, stop: {time: "30 min"}})" + kBeaconNetwork + R"(
consensus:
  protocol: gasper
  params: {validators: 6400}
)");
  CHECK(r.summary.number("slots") == 149);
  CHECK(r.summary.number("slot_occupancy") == 1);
  CHECK(r.summary.number("reorgs") == 0);
  CHECK(r.summary.number("finalized_epoch") == 2);  // at 1,536 s, the first block of epoch 4
  CHECK(r.summary.number("attestation_inclusion") == 1);
}

TEST_CASE("Gasper without proposer boost under an ex-ante reorg: honest blocks are orphaned") {
  const RunResult r = testing::run_yaml(R"(general: {seed: 6, stop: {time: "30 min"}})" + kBeaconNetwork + R"(
consensus:
  protocol: gasper
  params: {validators: 6400, proposer_boost: 0}
attacks:
  - attack: ex_ante_reorg
    nodes: {count: 10}
    params: {stake: 0.3, release_before: "10 ms"}
)");
  CHECK(r.summary.number("ex_ante_reorg_attempts") > 10);
  CHECK(r.summary.number("ex_ante_reorg_successes") > 0);
  CHECK(r.summary.number("blocks_orphaned") >= r.summary.number("ex_ante_reorg_successes"));
  CHECK(r.summary.number("reorgs") > 0);
}
