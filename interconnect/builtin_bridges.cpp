#include "interconnect/builtin_bridges.hpp"

#include "sim/run/builtin_extensions.hpp"

namespace dltsim {

void register_builtin_bridges(BridgeRegistry& registry) {
  register_custodial_bridge(registry);
  register_committee_bridge(registry);
  register_optimistic_bridge(registry);
  register_spv_relay(registry);
  register_htlc_swap(registry);
}

}  // namespace dltsim
