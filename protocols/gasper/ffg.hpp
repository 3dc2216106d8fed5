#pragma once
// Casper FFG as the beacon chain's state transition applies it at each epoch's end (phase0
// weigh_justification_and_finalization): an epoch's checkpoint is justified when attestations
// targeting it, included in the chain, hold two thirds of the active stake; a justified checkpoint
// is finalised when the next one (or the one after, through the four-epoch bits) is justified with
// it as source. Pure functions on a small state, so each rule is tested alone.

#include <cstdint>

#include "sim/core/ids.hpp"

namespace dltsim::gasper {

/// An epoch boundary block: the block at the epoch's first slot, or the last one before it.
struct Checkpoint {
  std::uint64_t epoch = 0;  ///< epoch
  BlockId root = 0;         ///< its block (genesis: 0)
  /// Same epoch and block.
  bool operator==(const Checkpoint& o) const { return epoch == o.epoch && root == o.root; }
  /// Not the same.
  bool operator!=(const Checkpoint& o) const { return !(*this == o); }
};

/// The FFG part of a beacon state.
struct FfgState {
  Checkpoint previous_justified;  ///< previous_justified_checkpoint
  Checkpoint current_justified;   ///< current_justified_checkpoint
  Checkpoint finalized;           ///< finalized_checkpoint
  /// justification_bits: bit i set when epoch (current - i) is justified.
  std::uint8_t justification_bits = 0;
};

/// What one epoch's end needs besides the state: the stake and the target votes included in the
/// chain for the epoch ending (current) and the one before (previous), and the two checkpoints.
struct EpochVotes {
  std::uint64_t current_epoch = 0;  ///< the epoch ending
  double total_stake = 0;           ///< active stake
  double previous_target = 0;       ///< stake attesting to `previous` as target
  double current_target = 0;        ///< stake attesting to `current` as target
  Checkpoint previous;              ///< the chain's checkpoint of current_epoch - 1
  Checkpoint current;               ///< the chain's checkpoint of current_epoch
};

/// The state after the epoch's end (the spec skips the first two epochs: current_epoch <= 1).
FfgState process_justification_and_finalization(const FfgState& state, const EpochVotes& votes);

/// True when `stake` is at least two thirds of `total` (the spec's 3 stake >= 2 total).
inline bool supermajority(double stake, double total) {
  return 3 * stake >= 2 * total;
}

}  // namespace dltsim::gasper
