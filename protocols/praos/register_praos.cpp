#include "protocols/praos/praos_config.hpp"
#include "protocols/praos/praos_consensus.hpp"

namespace dltsim {

void register_praos(ProtocolRegistry& registry) {
  ProtocolInfo info;
  info.name = "praos";
  info.summary =
      "Praos-style proof of stake: slot leader lottery phi_f, longest chain, settlement depth k, "
      "Nakamoto's relay";
  info.family = longest_chain::kFamily;
  info.params = praos::param_specs();
  info.tables = praos::praos_table_names();
  info.make = [](const ProtocolSetup& setup) { return std::make_unique<praos::PraosConsensus>(setup); };
  // One slot in 1 / f has a leader when all stake takes part.
  info.block_interval_s = [](const ParamValues& v) {
    return v.number("slot_length") / v.number("active_slot_coefficient");
  };
  registry.add(std::move(info));
}

}  // namespace dltsim
