#pragma once
// One node's fork choice (consensus-specs phase0 fork-choice.md): LMD-GHOST from the justified
// checkpoint over the viable branches, each block weighed by the stake whose latest message
// supports it plus the proposer boost (a share of one committee's weight) when the boosted block
// descends from it. Votes arrive already aggregated: the caller moves stake between blocks as
// latest messages change (its own bookkeeping of whose message is latest, equivocators removed), so
// the store costs one number per block, not one per validator.
//
// A block from an earlier epoch than the current one counts with its unrealized checkpoints (what
// its epoch's end will justify from the votes its chain already holds), as the specification's
// pulled-up tips do: for its branch's voting source, and for the store's checkpoints, which take the
// best unrealized ones at each epoch's start.

#include <cstdint>
#include <vector>

#include "protocols/gasper/beacon_blocks.hpp"

namespace dltsim::gasper {

/// A node's fork-choice store.
class ForkChoiceStore {
 public:
  /// Knows genesis only. committee_weight_stake: one slot's committee weight (active stake / slots
  /// per epoch); boost: the proposer boost as a fraction of it.
  ForkChoiceStore(const BeaconBlocks& blocks, double committee_weight_stake, double boost);
  /// True if the node has the block.
  bool knows(BlockId b) const { return b < known_.size() && known_[b]; }
  /// The node has block b (its parent already known): on_block's checkpoint updates.
  void on_block(BlockId b);
  /// The proposer boost goes to b (a timely block of the current slot; kNoBlock: none, as at each
  /// slot's start).
  void set_boost(BlockId b) { boost_block_ = b; }
  /// The block that has the boost, or kNoBlock.
  BlockId boost_block() const { return boost_block_; }
  /// Moves latest-message stake: `stake` more (or less, if negative) supports b.
  void add_votes(BlockId b, double stake);
  /// Stake whose latest message is b itself.
  double votes(BlockId b) const { return b < votes_.size() ? votes_[b] : 0; }
  /// The head (get_head) at `current_epoch`.
  BlockId head(std::uint64_t current_epoch);
  /// get_weight of a known block as of the last head() call: latest-message stake in its subtree,
  /// plus the boost if the boosted block descends from it.
  double weight(BlockId b) const { return b < subtree_.size() ? subtree_[b] : 0; }
  /// The store's justified checkpoint (the highest any known block's state justified).
  const Checkpoint& justified() const { return justified_; }
  /// The store's finalised checkpoint.
  const Checkpoint& finalized() const { return finalized_; }
  /// One committee's weight.
  double committee_weight() const { return committee_weight_; }

 private:
  bool viable_leaf(BlockId b, std::uint64_t current_epoch) const;
  void update_checkpoints(const FfgState& s);
  const BeaconBlocks& blocks_;
  double committee_weight_;
  double boost_;
  std::vector<bool> known_;
  std::vector<BlockId> known_ids_;  // ascending (a block's id exceeds its parent's)
  std::vector<double> votes_;
  std::vector<double> subtree_;
  std::vector<std::uint8_t> viable_;
  std::vector<std::uint8_t> has_child_;  // head()'s scratch, kept to spare an allocation per call
  BlockId boost_block_ = kNoBlock;
  Checkpoint justified_;
  Checkpoint finalized_;
  Checkpoint unrealized_justified_;
  Checkpoint unrealized_finalized_;
  std::uint64_t epoch_ = 0;  // the current epoch as of the last head() call
};

/// The stand-in for comparing block roots on equal weight (the spec breaks ties lexicographically
/// by root): a fixed pseudo-random value per block.
std::uint64_t root_order(BlockId b);

}  // namespace dltsim::gasper
