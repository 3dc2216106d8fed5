#include "sim/run/run_plan.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include <fmt/format.h>

#include "sim/adversary/node_selection.hpp"
#include "sim/run/power.hpp"

namespace dltsim {

namespace {

std::string attack_path(std::size_t a) {
  return fmt::format("attacks[{}]", a);
}

std::string describe_empty_selection(const NodeSelection& s, const Network& network) {
  if (s.by == SelectBy::region) {
    return fmt::format("selects no node: region '{}' has no node among the {} (its share rounds to zero)",
                       s.region, network.size());
  }
  if (s.by == SelectBy::ases) {
    return fmt::format(
        "selects no node: AS {} {} no node among the {} (the smallest ASes get none in a small network)",
        fmt::join(s.ases, ", "), s.ases.size() > 1 ? "have" : "has", network.size());
  }
  return "selects no node: every candidate is held by another attack that owns power";
}

}  // namespace

RunPlan make_run_plan(const Scenario& sc, const Catalog& catalog, const SeedTree& seeds) {
  RunPlan plan;
  try {
    plan.network = std::make_unique<Network>(sc.network, seeds.child("network"));
  } catch (const ScenarioError&) {
    throw;
  } catch (const Error& e) {
    throw sc.error_at(sc.network.topology.model == "random" ? "network.topology" : "network", e.what());
  }
  Rng power_rng = seeds.child("power").rng();
  if (sc.consensus.power.distribution == PowerDistribution::pools) {
    Rng pools_rng = seeds.child("pools").rng();
    try {
      place_pools(sc.consensus.power, *plan.network, pools_rng);
    } catch (const Error& e) {
      throw sc.error_at("consensus.power", e.what());
    }
  }
  const Network& network = *plan.network;
  try {
    plan.power = sc.consensus.power.distribution == PowerDistribution::pools
                     ? pool_power_shares(sc.consensus.power, network)
                     : power_shares(sc.consensus.power, network.size(), power_rng);
  } catch (const Error& e) {
    throw sc.error_at("consensus.power", e.what());
  }

  // Attack nodes are selected on the scenario's power; then attacks that own a share of the power
  // (a pool's alpha) get it, and the other nodes keep their proportions of the rest. Random
  // selections skip nodes already held by an attack that owns power.
  std::vector<PowerGroup> groups;
  std::vector<bool> taken(network.size(), false);
  std::vector<int> owner(network.size(), -1);
  for (std::size_t a = 0; a < sc.attacks.size(); ++a) {
    const AttackSpec& spec = sc.attacks[a];
    if (!spec.enabled) {  // no nodes: the others' selections and seeds are as if it were on
      plan.attack_nodes.emplace_back();
      continue;
    }
    const std::string nodes_path = attack_path(a) + ".nodes";
    Rng rng = seeds.child("attack").child(a).child("selection").rng();
    plan.attack_nodes.push_back(select_nodes(spec.nodes, network, plan.power, taken, rng));
    const std::vector<NodeId>& nodes = plan.attack_nodes.back();
    if (nodes.empty()) throw sc.error_at(nodes_path, describe_empty_selection(spec.nodes, network));
    const AttackInfo& info = catalog.attacks.get(spec.name);
    if (info.power_param.empty()) continue;
    for (NodeId n : nodes) {
      if (owner[n] >= 0) {
        throw sc.error_at(nodes_path,
                          fmt::format("node {} is also controlled by {} ({}), and both attacks own power: "
                                      "give them disjoint nodes",
                                      n, attack_path(static_cast<std::size_t>(owner[n])),
                                      sc.attacks[static_cast<std::size_t>(owner[n])].name));
      }
      owner[n] = static_cast<int>(a);
      taken[n] = true;
    }
    if (std::count(taken.begin(), taken.end(), false) == 0) {
      throw sc.error_at(nodes_path,
                        fmt::format("with this selection the attacks control all {} nodes: leave some honest "
                                    "nodes",
                                    network.size()));
    }
    groups.push_back({spec.name, nodes, spec.params.number(info.power_param)});
  }
  assign_group_power(plan.power, groups);
  // Node-selection parameters (a relay network's members) pick on the final power, from their own
  // streams, among every node: they name nodes the attack does not control.
  const std::vector<bool> none_taken(network.size(), false);
  for (std::size_t a = 0; a < sc.attacks.size(); ++a) {
    plan.attack_selections.emplace_back();
    if (!sc.attacks[a].enabled) continue;
    for (const auto& [name, selection] : sc.attacks[a].selections) {
      Rng rng = seeds.child("attack").child(a).child("param").child(name).rng();
      std::vector<NodeId> nodes = select_nodes(selection, network, plan.power, none_taken, rng);
      if (nodes.empty()) {
        throw sc.error_at(attack_path(a) + ".params." + name, describe_empty_selection(selection, network));
      }
      plan.attack_selections.back()[name] = std::move(nodes);
    }
  }
  return plan;
}

RunPlan make_ledger_plan(const LedgerSpec& ledger, const Catalog& catalog) {
  try {
    return make_run_plan(ledger.scenario, catalog, SeedTree(ledger.scenario.seed));
  } catch (const ScenarioError& e) {
    throw in_ledger(e, ledger.name);
  }
}

}  // namespace dltsim
