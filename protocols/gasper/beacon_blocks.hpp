#pragma once
// Every beacon block of a run, shared by all nodes: the block tree (sim/chain) with each block's
// slot and its post-state's FFG checkpoints, and the chain queries the fork choice and the epoch
// processing need (the checkpoint block of an epoch on a block's chain).

#include <cstdint>
#include <vector>

#include "protocols/gasper/ffg.hpp"
#include "sim/chain/block_tree.hpp"

namespace dltsim::gasper {

/// The run's beacon blocks.
class BeaconBlocks {
 public:
  /// Genesis only (slot 0, nothing justified beyond it).
  explicit BeaconBlocks(std::uint32_t slots_per_epoch);
  /// Adds a block of `slot` on `parent` with its post-state's FFG part; returns its id.
  BlockId add(BlockId parent, NodeId proposer, std::uint64_t slot, double time_s, std::uint32_t size_bytes,
              const FfgState& state, bool adversarial = false);
  /// The tree (parents, producers, times).
  const BlockTree& tree() const { return tree_; }
  /// Number of blocks including genesis.
  std::uint32_t size() const { return tree_.size(); }
  /// The slot of a block.
  std::uint64_t slot(BlockId b) const { return slot_[b]; }
  /// The epoch of a block's slot.
  std::uint64_t epoch(BlockId b) const { return slot_[b] / slots_per_epoch_; }
  /// The FFG part of a block's post-state.
  const FfgState& state(BlockId b) const { return state_[b]; }
  /// Its state as the end of its epoch would leave it with the votes its chain holds so far
  /// (compute_pulled_up_tip's "unrealized" checkpoints); the post-state until set.
  const FfgState& unrealized(BlockId b) const { return unrealized_[b]; }
  /// Sets a block's unrealized checkpoints (right after adding it).
  void set_unrealized(BlockId b, const FfgState& s) { unrealized_[b] = s; }
  /// The parent of a block (kNoBlock for genesis).
  BlockId parent(BlockId b) const { return tree_.get(b).parent; }
  /// The highest block of b's chain whose slot is at most `slot` (get_ancestor).
  BlockId ancestor_at_slot(BlockId b, std::uint64_t slot) const;
  /// The checkpoint of `epoch` on b's chain: the block at its first slot or the last before it.
  Checkpoint checkpoint(BlockId b, std::uint64_t epoch) const {
    return Checkpoint{epoch, ancestor_at_slot(b, epoch * slots_per_epoch_)};
  }
  /// True if `ancestor` is on b's chain (a block is its own ancestor).
  bool is_ancestor(BlockId ancestor, BlockId b) const { return tree_.is_ancestor(ancestor, b); }
  /// Slots in an epoch.
  std::uint32_t slots_per_epoch() const { return slots_per_epoch_; }

 private:
  std::uint32_t slots_per_epoch_;
  BlockTree tree_;
  std::vector<std::uint64_t> slot_;
  std::vector<FfgState> state_;
  std::vector<FfgState> unrealized_;
};

}  // namespace dltsim::gasper
