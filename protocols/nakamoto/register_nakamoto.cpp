#include "protocols/nakamoto/nakamoto_config.hpp"
#include "protocols/nakamoto/nakamoto_consensus.hpp"
#include "sim/chain/chain_metrics.hpp"

namespace dltsim {

void register_nakamoto(ProtocolRegistry& registry) {
  ProtocolInfo info;
  info.name = "nakamoto";
  info.summary =
      "Nakamoto proof-of-work: Poisson mining, longest chain or GHOST, uncles, inv/getdata and compact-block "
      "relay";
  info.family = longest_chain::kFamily;
  info.params = nakamoto::param_specs();
  info.tables = chain_table_names();
  info.tables.push_back("rewards");
  info.make = [](const ProtocolSetup& setup) { return std::make_unique<nakamoto::NakamotoConsensus>(setup); };
  info.block_interval_s = [](const ParamValues& v) { return v.number("block_interval"); };
  registry.add(std::move(info));
}

}  // namespace dltsim
