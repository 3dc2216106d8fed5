#pragma once
// Parameters of Praos-style proof of stake: the slot lottery and settlement depth, and the relay and
// chain rules it shares with Nakamoto (with Cardano's values as defaults), declared once.

#include <vector>

#include "protocols/longest_chain/chain_config.hpp"

namespace dltsim::praos {

/// Slot parameters.
struct SlotParams {
  double slot_s;  ///< slot length
  double f;       ///< active slot coefficient
};

/// Parameter declarations.
std::vector<ParamSpec> param_specs();
/// The slot parameters from resolved values.
SlotParams read_slots(const ParamValues& values);
/// The relay and chain rules from resolved values (longest chain, block interval = slot / f).
longest_chain::Config read_config(const ParamValues& values);

}  // namespace dltsim::praos
