#include "protocols/praos/praos_config.hpp"
#include "protocols/praos/praos_consensus.hpp"

namespace dltsim {

void register_praos(ProtocolRegistry& registry) {
  ProtocolInfo info;
  info.name = "praos";
  info.summary =
      "Praos-style proof of stake: slot leader lottery phi_f, longest chain, settlement depth k, "
      "Nakamoto's relay";
  info.params = praos::param_specs();
  info.tables = praos::praos_table_names();
  info.make = [](const ProtocolSetup& setup) { return std::make_unique<praos::PraosConsensus>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
