#include "protocols/gasper/beacon_blocks.hpp"

#include <stdexcept>

namespace dltsim::gasper {

BeaconBlocks::BeaconBlocks(std::uint32_t slots_per_epoch)
    : slots_per_epoch_(slots_per_epoch), slot_{0}, state_{FfgState{}}, unrealized_{FfgState{}} {
  if (slots_per_epoch == 0) throw std::invalid_argument("slots_per_epoch must be positive");
}

BlockId BeaconBlocks::add(BlockId parent, NodeId proposer, std::uint64_t slot, double time_s,
                          std::uint32_t size_bytes, const FfgState& state, bool adversarial) {
  if (slot <= slot_[parent]) throw std::invalid_argument("a block's slot must follow its parent's");
  const BlockId id = tree_.add(parent, proposer, time_s, size_bytes, 1, adversarial);
  slot_.push_back(slot);
  state_.push_back(state);
  unrealized_.push_back(state);
  return id;
}

BlockId BeaconBlocks::ancestor_at_slot(BlockId b, std::uint64_t slot) const {
  // Slots strictly increase along a chain, and a chain has at most one block per slot, so the walk
  // is at most (slot(b) - slot) steps; the fork choice asks only within a few epochs.
  while (slot_[b] > slot) b = tree_.get(b).parent;
  return b;
}

}  // namespace dltsim::gasper
