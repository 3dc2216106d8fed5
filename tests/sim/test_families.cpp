// GHOST with uncles and Praos, each in one simulation per process (catch_discover_tests), on the
// relayed network rather than the idealised one: the paths the validation tests do not take (relay of
// every block, geth's push, a selfish pool under GHOST, a pool under the slot rule), so that the
// sanitizer build runs them too.

#include <catch2/catch.hpp>

#include <string>

#include "tests/sim/run_yaml.hpp"

using namespace dltsim;

namespace {

RunResult run(const std::string& yaml) {
  return testing::run_yaml(yaml);
}

// 60 equal nodes on one region, 8 outbound connections each, 1 s latency, 5 s blocks: forks are common.
const std::string kForkingNetwork = R"(
general: {seed: 3, stop: {blocks: 400}}
network:
  nodes: 60
  regions: [{name: A, share: 1, download: "20 Mbit/s", upload: "20 Mbit/s"}]
  latency: {uniform: "1 s"}
  topology: {outbound: 8}
)";

}  // namespace

TEST_CASE("GHOST with uncles, every block relayed and pushed: uncles are stale blocks and rewards add up") {
  const RunResult r = run(kForkingNetwork + R"(
consensus:
  protocol: nakamoto
  params: {block_interval: "5 s", block_size: "20 KB", compact_blocks: false, fork_choice: ghost,
           relay: all, push: sqrt, max_uncles: 2}
)");
  const double main = r.summary.number("blocks_main"), uncles = r.summary.number("uncles");
  CHECK(r.summary.number("blocks_stale") > 20);
  CHECK(uncles > 0);
  CHECK(uncles <= r.summary.number("blocks_stale"));
  // Every main-chain block pays 1, each uncle 1/32 to its nephew and at most 7/8 to itself.
  CHECK(r.summary.number("reward_total") >= main + uncles * (1.0 / 32 + 2.0 / 8));
  CHECK(r.summary.number("reward_total") <= main + uncles * (1.0 / 32 + 7.0 / 8) + 1e-9);
  CHECK(r.summary.number("uncle_distance_mean") >= 1);
  CHECK(r.summary.number("uncle_distance_mean") <= 6);
}

TEST_CASE("a selfish pool against GHOST nodes: the run completes and the pool's reward share is reported") {
  const RunResult r = run(kForkingNetwork + R"(
consensus:
  protocol: nakamoto
  params: {block_interval: "5 s", block_size: "20 KB", compact_blocks: false, fork_choice: ghost,
           max_uncles: 2, relay: all}
attacks:
  - attack: selfish_mining
    nodes: {count: 1}
    params: {alpha: 0.35}
)");
  CHECK(r.summary.number("blocks_produced") == 400);
  CHECK(r.summary.number("selfish_mining_reward_share") > 0);
  CHECK(r.summary.number("selfish_mining_reward_share") < 1);
}

TEST_CASE("Praos with selfish forging: slots, leaders and the pool's blocks") {
  const RunResult r = run(R"(
general: {seed: 4, stop: {time: "3000 s"}}
network:
  nodes: 60
  regions: [{name: A, share: 1, download: "20 Mbit/s", upload: "20 Mbit/s"}]
  latency: {uniform: "300 ms"}
  topology: {outbound: 8}
consensus:
  protocol: praos
  params: {active_slot_coefficient: 0.3, settlement_depth: 3, tie_break: gamma, tie_gamma: 0.5}
attacks:
  - attack: selfish_mining
    nodes: {count: 3}
    params: {alpha: 0.3}
)");
  CHECK(r.summary.number("slots") == 2999);
  CHECK(r.summary.number("slots_led") > 0.5 * 0.3 * 2999);
  CHECK(r.summary.number("slot_empty_rate") > 0.6);
  CHECK(r.summary.number("slot_empty_rate") < 0.8);
  CHECK(r.summary.number("selfish_mining_blocks_mined") > 0);
  CHECK(r.summary.number("settlement_failures") >= 0);
}
