#pragma once
// What a run decides before the engine starts: the network (node placement, peer graph), the
// consensus power of every node and the nodes each attack controls. Deterministic for a scenario
// and seed, and cheap next to the run, so `dltsim validate` builds it too: every input problem that
// shows only once the network exists (a peer graph that cannot be connected, a selection that
// leaves no honest node) is reported by validate, located in the scenario, before any run.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/net/network.hpp"
#include "sim/scenario/catalog.hpp"
#include "sim/scenario/multi_ledger.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

/// The network and the assignments of a run.
struct RunPlan {
  std::unique_ptr<Network> network;               ///< placement and peer graph
  std::vector<double> power;                      ///< consensus power share per node (sum 1)
  std::vector<std::vector<NodeId>> attack_nodes;  ///< per attack (scenario order), sorted ids
  /// Per attack, its node-selection parameters resolved (sorted ids), by parameter name.
  std::vector<std::map<std::string, std::vector<NodeId>>> attack_selections;
};

/// Builds the plan from the seed tree of the run; throws ScenarioError located in the scenario.
RunPlan make_run_plan(const Scenario& scenario, const Catalog& catalog, const SeedTree& seeds);

/// The plan of one ledger of a multi-ledger run (its own seed); an error's key path is under
/// ledgers.NAME.
RunPlan make_ledger_plan(const LedgerSpec& ledger, const Catalog& catalog);

}  // namespace dltsim
