#pragma once
// Registration of each bridge mechanism in interconnect/ (one function per mechanism).

#include "sim/interconnect/bridge.hpp"

namespace dltsim {

/// The custodial (exchange) bridge: interconnect/custodial/.
void register_custodial_bridge(BridgeRegistry& registry);
/// The committee (m of n multisignature) bridge: interconnect/committee/.
void register_committee_bridge(BridgeRegistry& registry);
/// The optimistic bridge (challenge window, fraud proofs): interconnect/optimistic/.
void register_optimistic_bridge(BridgeRegistry& registry);
/// The light-client (SPV) relay: interconnect/spv/.
void register_spv_relay(BridgeRegistry& registry);
/// Hash time-locked swaps: interconnect/swap/.
void register_htlc_swap(BridgeRegistry& registry);

}  // namespace dltsim
