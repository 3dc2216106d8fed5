#pragma once
// The scenario schema, one declaration per section (sim/scenario/section_schema.hpp): the loader
// reads with these, the resolved scenario is written with them, and `dltsim describe SECTION` and
// docs/scenario-schema.md are generated from them.

#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/section_schema.hpp"

namespace dltsim {

/// Most nodes a network may have.
constexpr double kMaxNodes = 1e6;
/// Most nodes of a complete graph: it holds n (n - 1) / 2 connections, 2 million at 2,000 nodes.
constexpr double kMaxCompleteNodes = 2000;
/// Tolerance of sums of shares that must reach 1.
constexpr double kShareTolerance = 1e-6;

/// The document's top level.
const Section<Scenario>& root_section();
/// general: seed and stop condition.
const Section<Scenario>& general_section();
/// general.stop: when the run ends (cross-key check: time or blocks is given, by the loader).
const Section<StopSpec>& stop_section();
/// network with idealised: true (the textbook model).
const Section<NetworkSpec>& idealised_network_section();
/// network: a measured or described network.
const Section<NetworkSpec>& network_section();
/// network.regions[]: one region.
const Section<RegionSpec>& region_section();
/// network.latency: the region-to-region latency table.
const Section<NetworkSpec>& latency_section();
/// network.topology: the peer graph.
const Section<TopologySpec>& topology_section();
/// network.churn: nodes leaving and rejoining.
const Section<ChurnSpec>& churn_section();
/// network.peers: address tables and dynamic connections.
const Section<PeerSpec>& peer_section();
/// network.internet: AS and prefix placement.
const Section<InternetSpec>& internet_section();
/// consensus: protocol, parameters, power.
const Section<ConsensusSpec>& consensus_section();
/// consensus.power: how consensus power is spread (keys depend on the distribution).
const Section<PowerSpec>& power_section();
/// transactions: wallets, relay, mempools and blocks' capacity.
const Section<TxSpec>& transactions_section();
/// transactions.scripted[]: one transaction written out.
const Section<ScriptedTx>& scripted_tx_section();
/// transactions.stem.
const Section<StemSpec>& stem_section();
/// attacks[]: one attack.
const Section<AttackSpec>& attack_section();
/// output: where the result goes and which tables it holds.
const Section<OutputSpec>& output_section();

/// Every section's declaration, in document order (for describe and the docs table).
std::vector<SectionDoc> scenario_sections();
/// The declaration of the section at that path, or nullptr.
const SectionDoc* find_scenario_section(const std::string& path);

}  // namespace dltsim
