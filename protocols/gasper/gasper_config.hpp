#pragma once
// Parameters of Gasper (Ethereum's proof of stake), declared once and read into a typed struct.

#include <cstdint>
#include <vector>

#include "sim/core/params.hpp"

namespace dltsim::gasper {

/// Typed parameters.
struct Config {
  double slot_s;                      ///< slot length
  std::uint32_t slots_per_epoch;      ///< slots in an epoch
  std::uint64_t validators;           ///< active validators (32 ETH each)
  double proposer_boost;              ///< boost as a fraction of one slot's committee weight
  std::uint32_t block_size_bytes;     ///< a beacon block with its execution payload
  std::uint32_t attestation_bytes;    ///< one node's attestation sent to its aggregator
  std::uint32_t aggregate_bytes;      ///< one vote's aggregates of all the slot's committees
  std::uint32_t committees_per_slot;  ///< derived: min(64, validators / slots / 128), at least 1
  double attestation_deadline_s;      ///< a third into the slot
  double aggregation_deadline_s;      ///< two thirds into the slot
  double timely_block_s;              ///< a block arriving before this gets the proposer boost
};

/// Parameter declarations.
std::vector<ParamSpec> param_specs();
/// Typed parameters from resolved values.
Config read_config(const ParamValues& values);
/// Checks across parameters (the registry's check); returns what is wrong or "".
std::string check_params(const ParamValues& values);

}  // namespace dltsim::gasper
