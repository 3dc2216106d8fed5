// One test per kind of scenario error: each asserts the line, the key path and the message.

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "sim/run/builtin_extensions.hpp"
#include "sim/scenario/scenario_loader.hpp"

using namespace dltsim;

namespace {

// Line numbers below refer to this text (line 1 is "general:").
const std::string kValid =
    "general:\n"                       // 1
    "  seed: 3\n"                      // 2
    "  stop:\n"                        // 3
    "    blocks: 10\n"                 // 4
    "network:\n"                       // 5
    "  preset: bitcoin-2019\n"         // 6
    "  nodes: 100\n"                   // 7
    "consensus:\n"                     // 8
    "  protocol: nakamoto\n"           // 9
    "  params:\n"                      // 10
    "    block_interval: \"600 s\"\n"  // 11
    "output:\n"                        // 12
    "  path: out.h5\n";                // 13

Scenario load(const std::string& text, std::vector<std::string> overrides = {}) {
  return load_scenario(ScenarioInput{"test.yaml", text, std::move(overrides)}, builtin_catalog());
}

ScenarioError error_of(const std::string& text, std::vector<std::string> overrides = {}) {
  try {
    load(text, std::move(overrides));
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("expected a ScenarioError");
  throw std::logic_error("unreachable");
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  return text.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("the valid scenario loads") {
  const Scenario sc = load(kValid);
  CHECK(sc.seed == 3);
  CHECK(sc.network.nodes == 100);
  CHECK(sc.network.regions.size() == 6);
  CHECK(sc.consensus.params.number("block_interval") == 600.0);
  CHECK(sc.consensus.params.number("block_size") == 535000.0);  // default
  CHECK(*sc.stop.blocks == 10);
}

TEST_CASE("unknown key: line, path and the allowed keys") {
  const auto e = error_of(replace(kValid, "  nodes: 100\n", "  nodes: 100\n  node_count: 5\n"));
  CHECK(e.where().line == 8);
  CHECK(e.key_path() == "network.node_count");
  CHECK_THAT(e.what(), Catch::StartsWith("test.yaml:8:3: network.node_count: unknown key 'node_count'"));
  CHECK_THAT(e.detail(), Catch::Contains("allowed keys: idealised, preset, nodes, regions"));
}

TEST_CASE("wrong type") {
  const auto e = error_of(replace(kValid, "nodes: 100", "nodes: many"));
  CHECK(e.where().line == 7);
  CHECK(e.key_path() == "network.nodes");
  CHECK(e.detail() == "expected an integer, got 'many'");
  const auto m = error_of(replace(kValid, "  seed: 3\n", "  seed: [1, 2]\n"));
  CHECK(m.where().line == 2);
  CHECK_THAT(m.detail(), Catch::Contains("got a sequence"));
}

TEST_CASE("out of range") {
  const auto e = error_of(replace(kValid, "nodes: 100", "nodes: 0"));
  CHECK(e.where().line == 7);
  CHECK(e.detail() == "must be in [1, 1e+06], got 0");
  const auto p = error_of(replace(kValid, "\"600 s\"", "\"0 s\""));
  CHECK(p.where().line == 11);
  CHECK(p.key_path() == "consensus.params.block_interval");
  CHECK_THAT(p.detail(), Catch::Contains("out of range: must be in (0, inf) s"));
}

TEST_CASE("missing unit") {
  const auto e = error_of(replace(kValid, "\"600 s\"", "600"));
  CHECK(e.where().line == 11);
  CHECK_THAT(e.detail(), Catch::Contains("has no unit") && Catch::Contains("e.g. '600 s'"));
}

TEST_CASE("YAML merge keys are rejected") {
  const auto e = error_of(replace(kValid, "consensus:\n", "consensus:\n  <<: {protocol: nakamoto}\n"));
  CHECK(e.where().line == 9);
  CHECK_THAT(e.detail(), Catch::Contains("merge keys ('<<') are not supported"));
}

TEST_CASE("duplicate keys are rejected") {
  const auto e = error_of(replace(kValid, "  nodes: 100\n", "  nodes: 100\n  nodes: 200\n"));
  CHECK(e.where().line == 8);
  CHECK(e.detail() == "duplicate key 'nodes'");
}

TEST_CASE("missing required key") {
  const auto e = error_of(replace(kValid, "  nodes: 100\n", ""));
  CHECK(e.where().line == 6);  // the mapping that lacks it
  CHECK(e.key_path() == "network");
  CHECK(e.detail() == "missing required key 'nodes'");
}

TEST_CASE("unknown protocol lists the registered ones") {
  const auto e = error_of(replace(kValid, "protocol: nakamoto", "protocol: nakamotto"));
  CHECK(e.where().line == 9);
  CHECK_THAT(e.detail(),
             Catch::Contains(
                 "'nakamotto' is not allowed; allowed values: gasper, hotstuff, nakamoto, pbft, praos, tendermint"));
}

TEST_CASE("unknown protocol parameter lists the declared ones") {
  const auto e = error_of(replace(kValid, "    block_interval", "    block_intervall"));
  CHECK(e.where().line == 11);
  CHECK(e.key_path() == "consensus.params.block_intervall");
  CHECK_THAT(e.detail(),
             Catch::Contains("unknown parameter 'block_intervall'; allowed: block_interval, block_size"));
}

TEST_CASE("YAML syntax errors carry the parser's position") {
  const auto e = error_of(replace(kValid, "  nodes: 100\n", "  nodes: [100\n"));
  CHECK(e.where().line >= 7);
  CHECK_THAT(e.detail(), Catch::StartsWith("YAML syntax error"));
}

TEST_CASE("no stop condition") {
  const auto e = error_of(replace(kValid, "    blocks: 10\n", "    drain: \"1 h\"\n"));
  CHECK(e.where().line == 4);
  CHECK(e.key_path() == "general.stop");
  CHECK(e.detail() == "give a stop condition: time, blocks, or both");
}

TEST_CASE("inconsistent shapes: latency matrix and regions") {
  const std::string text =
      replace(kValid, "  preset: bitcoin-2019\n",
              "  regions:\n"
              "    - {name: A, share: 1, download: \"10 Mbit/s\", upload: \"10 Mbit/s\"}\n"
              "  latency:\n"
              "    matrix_ms: [[10, 20]]\n");
  const auto e = error_of(text);
  CHECK(e.where().line == 9);
  CHECK(e.key_path() == "network.latency.matrix_ms[0]");
  CHECK(e.detail() == "expected 1 columns (one per region), got 2");
}

TEST_CASE("power shares must add up") {
  const std::string text = replace(kValid, "output:\n",
                                   "  power:\n"
                                   "    distribution: shares\n"
                                   "    shares: [0.5, 0.3]\n"
                                   "output:\n");
  const auto e = error_of(text);
  CHECK(e.where().line == 14);
  CHECK_THAT(e.detail(), Catch::Contains("shares sum to 0.8; they must sum to 1"));
}

TEST_CASE("command-line overrides apply and their errors name the override") {
  const Scenario sc = load(kValid, {"network.nodes=250", "consensus.params.block_size=1 MB"});
  CHECK(sc.network.nodes == 250);
  CHECK(sc.consensus.params.number("block_size") == 1e6);
  const auto e = error_of(kValid, {"network.nodes=-4"});
  CHECK(e.where().source == "--set network.nodes=-4");
  CHECK(e.key_path() == "network.nodes");
  CHECK_THAT(e.what(), Catch::StartsWith("--set network.nodes=-4: network.nodes: must be in [1, 1e+06]"));
  const auto k = error_of(kValid, {"network.nodez=5"});
  CHECK_THAT(k.detail(), Catch::Contains("unknown key 'nodez'"));
  const auto s = error_of(kValid, {"no_equals_sign"});
  CHECK_THAT(s.detail(), Catch::Contains("expected key.path=value"));
}

TEST_CASE("unknown table in output.record") {
  const auto e =
      error_of(replace(kValid, "  path: out.h5\n", "  path: out.h5\n  record: [blocks, blokcs]\n"));
  CHECK(e.where().line == 14);
  CHECK(e.key_path() == "output.record[1]");
  CHECK_THAT(
      e.detail(),
      Catch::Contains("'blokcs' is not allowed; allowed values: nodes, regions, messages, pools, blocks"));
}

TEST_CASE("every shipped scenario validates") {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(DLTSIM_SCENARIO_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path());
    CHECK_NOTHROW(load_scenario(read_scenario_file(entry.path().string()), builtin_catalog()));
    ++count;
  }
  CHECK(count >= 8);
}

TEST_CASE("attack parameters that contradict each other") {
  const auto e = error_of(kValid +
                          "attacks:\n"                                                // 14
                          "  - attack: double_spending\n"                             // 15
                          "    nodes: {count: 1}\n"                                   // 16
                          "    params: {confirmations: 30, give_up_deficit: 20}\n");  // 17
  CHECK(e.where().line == 17);
  CHECK(e.key_path() == "attacks[0].params");
  CHECK_THAT(e.detail(), Catch::Contains("give_up_deficit must exceed confirmations"));
}

TEST_CASE("attacks cannot own all the hashrate or share named nodes") {
  const std::string two = kValid +
                          "attacks:\n"                                                               // 14
                          "  - {attack: selfish_mining, nodes: {ids: [1]}, params: {alpha: 0.6}}\n"  // 15
                          "  - {attack: majority, nodes: {ids: [2]}, params: {alpha: 0.6}}\n";       // 16
  const auto e = error_of(two);
  CHECK(e.where().line == 16);
  CHECK_THAT(e.detail(), Catch::Contains("would own 1.2 of the hashrate"));
  std::string shared = two;
  shared.replace(shared.find("alpha: 0.6}}\n  - {attack: majority"), 10, "alpha: 0.3");
  shared.replace(shared.find("ids: [2]"), 8, "ids: [1]");
  shared.replace(shared.find("alpha: 0.6}}\n", shared.find("majority")), 10, "alpha: 0.55");
  const auto s = error_of(shared);
  CHECK(s.key_path() == "attacks[1].nodes");
  CHECK_THAT(s.detail(), Catch::Contains("node 1 is already controlled"));
  const auto all = error_of(kValid + "attacks: [{attack: selfish_mining, nodes: {fraction: 1}}]\n");
  CHECK_THAT(all.detail(), Catch::Contains("every node"));
}

TEST_CASE("a complete graph is capped") {
  const auto e = error_of(kValid, {"network.nodes=5000", "network.topology.model=complete"});
  CHECK_THAT(e.detail(), Catch::Contains("complete graph is limited to 2000 nodes"));
}
