#include "protocols/gasper/gasper_config.hpp"
#include "protocols/gasper/gasper_consensus.hpp"

namespace dltsim {

void register_gasper(ProtocolRegistry& registry) {
  ProtocolInfo info;
  info.name = "gasper";
  info.family = gasper::kFamily;
  info.summary =
      "Ethereum's proof of stake (Gasper): 12 s slots, 32-slot epochs, committees, LMD-GHOST with proposer "
      "boost, Casper FFG justification and finality, aggregated attestations, gossip";
  info.params = gasper::param_specs();
  info.tables = gasper::gasper_table_names();
  info.make = [](const ProtocolSetup& setup) { return std::make_unique<gasper::GasperConsensus>(setup); };
  info.check = gasper::check_params;
  registry.add(std::move(info));
}

}  // namespace dltsim
