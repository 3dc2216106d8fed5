// Several ledgers in one run (docs/interconnect.md), each TEST_CASE in its own process: the bridge
// mechanisms move transactions between two small ledgers on one clock. Run under the sanitizers too.

#include <catch2/catch.hpp>

#include <string>

#include <fmt/format.h>

#include "sim/run/builtin_extensions.hpp"
#include "sim/run/simulation.hpp"
#include "sim/scenario/multi_ledger.hpp"

using namespace dltsim;

namespace {

// Two idealised 10-node chains with 60 s blocks and transactions, inline, and `bridges` between them.
RunResult run_ledgers(const std::string& bridges, const std::string& hours = "6 h") {
  const std::string ledger = R"(
      general: {seed: 1, stop: {time: 1 h}}
      network: {idealised: true, nodes: 10}
      consensus: {protocol: nakamoto, params: {block_interval: 60 s}}
      transactions: {tx_per_s: 0.05, template_refresh: 0 s, sample_nodes: 1}
)";
  const std::string yaml =
      fmt::format(R"(
general: {{seed: 3, stop: {{time: {hours}}}}}
ledgers:
  - name: a
    scenario: {ledger}
  - name: b
    scenario: {ledger}
bridges:
{bridges}
)",
                  fmt::arg("hours", hours), fmt::arg("ledger", ledger), fmt::arg("bridges", bridges));
  const MultiLedgerScenario ms = load_multi_ledger(ScenarioInput{"<test>", yaml, {}}, builtin_catalog());
  RunOptions options;
  options.write_output = false;
  return run_multi_ledger(ms, builtin_catalog(), options);
}

double value(const RunResult& r, const std::string& key) {
  return r.summary.number(key, -1);
}

}  // namespace

TEST_CASE("a custodial bridge credits deposits k deep and finalises the credits", "[ledgers]") {
  const RunResult r = run_ledgers(R"(  - {name: x, mechanism: custodial, source: a, destination: b,
     params: {confirmations: 3, destination_confirmations: 2, exchange_node: 1, exchange_node_destination: 2,
              deposits_per_hour: 20}})");
  CHECK(r.complete);
  CHECK(value(r, "ledgers") == 2);
  CHECK(value(r, "x_deposits") > 80);
  CHECK(value(r, "x_credited") > 0.9 * value(r, "x_deposits"));
  CHECK(value(r, "x_thefts") == 0);
  // k = 3 blocks of 60 s: at least two whole intervals after the deposit's block.
  CHECK(value(r, "x_credit_delay_mean_s") > 120);
  CHECK(value(r, "a_blocks_produced") > 200);
}

TEST_CASE("a swap and the committee and optimistic and light-client bridges run side by side", "[ledgers]") {
  const RunResult r = run_ledgers(R"(  - {name: s, mechanism: htlc_swap, first: a, second: b,
     params: {swaps_per_hour: 6, first_lock: 2 h, second_lock: 1 h}}
  - {name: c, mechanism: committee, source: a, destination: b,
     params: {signers: 5, threshold: 3, compromised: 3, confirmations: 2, destination_confirmations: 1,
              transfers_per_hour: 6, forgeries_per_hour: 6}}
  - {name: o, mechanism: optimistic, source: a, destination: b,
     params: {window: 10 min, watchers: 2, first_watcher: 1, confirmations: 2, forgeries_per_hour: 6}}
  - {name: v, mechanism: spv_relay, source: a, destination: b,
     params: {confirmations: 2, relayers: 1, first_relayer: 1, first_relayer_destination: 1}})");
  CHECK(r.complete);
  CHECK(value(r, "s_completed") > 10);
  CHECK(value(r, "s_responder_losses") == 0);
  CHECK(value(r, "c_forged_mints") == value(r, "c_forgeries"));  // 3 keys of threshold 3
  CHECK(value(r, "c_minted") > 10);
  CHECK(value(r, "o_forgeries_accepted") == 0);  // watchers online, 10 blocks in a window
  CHECK(value(r, "o_claims_accepted") > 10);
  CHECK(value(r, "v_minted") > 10);
  CHECK(value(r, "v_light_client_height") > 300);
}
