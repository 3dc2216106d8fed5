#pragma once
// The tree of every block produced in a run, shared by all nodes of a chain-based protocol (each
// node's own view is a ChainView over it). Block 0 is genesis. Blocks get ids in the order they are
// produced, so a block's descendants all have larger ids.

#include <cstdint>
#include <vector>

#include "sim/core/ids.hpp"

namespace dltsim {

/// One block.
struct Block {
  BlockId parent = kNoBlock;     ///< parent block (kNoBlock for genesis)
  std::uint32_t height = 0;      ///< genesis is 0
  NodeId producer = kNoNode;     ///< node that produced it (kNoNode for genesis)
  double time_s = 0;             ///< when it was produced
  std::uint32_t size_bytes = 0;  ///< full size
  double weight = 1;             ///< chain weight it adds (work; 1 for constant difficulty)
  bool adversarial = false;      ///< produced by a node an attack controls
};

/// All blocks of a run.
class BlockTree {
 public:
  /// A tree holding only genesis.
  BlockTree();
  /// Adds a block on `parent`; returns its id.
  BlockId add(BlockId parent, NodeId producer, double time_s, std::uint32_t size_bytes, double weight = 1,
              bool adversarial = false);
  /// A block.
  const Block& get(BlockId id) const { return blocks_[id]; }
  /// Number of blocks including genesis.
  std::uint32_t size() const { return static_cast<std::uint32_t>(blocks_.size()); }
  /// Total weight from genesis to `id` (the chain's work).
  double chain_weight(BlockId id) const { return chain_weight_[id]; }
  /// The deepest common ancestor of a and b.
  BlockId common_ancestor(BlockId a, BlockId b) const;
  /// True if `ancestor` is on the path from genesis to `block` (a block is its own ancestor).
  bool is_ancestor(BlockId ancestor, BlockId block) const;
  /// The ancestor of `block` at `height` (<= the block's height), in O(log height) steps.
  BlockId ancestor_at(BlockId block, std::uint32_t height) const;
  /// Flags the blocks on the path from genesis to `tip`.
  std::vector<bool> chain_flags(BlockId tip) const;

  /// The first child of `id` (the earliest produced), or kNoBlock.
  BlockId first_child(BlockId id) const { return first_child_[id]; }
  /// The next child of `id`'s parent after `id` (in production order), or kNoBlock.
  BlockId next_sibling(BlockId id) const { return next_sibling_[id]; }

  /// Keeps the weight of every block's subtree from now on (GHOST); call before the first add.
  void track_subtrees();
  /// Total weight of `id` and all its descendants (needs track_subtrees()).
  double subtree_weight(BlockId id) const { return subtree_weight_[id]; }

  /// Records the uncles (stale blocks it references, for their rewards) of block `id`, just added.
  void set_uncles(BlockId id, const std::vector<BlockId>& uncles);
  /// Number of uncles block `id` references.
  std::uint32_t uncle_count(BlockId id) const;
  /// The i-th uncle of block `id`.
  BlockId uncle(BlockId id, std::uint32_t i) const { return uncle_ids_[uncle_begin_[id] + i]; }

 private:
  std::vector<Block> blocks_;
  std::vector<double> chain_weight_;
  std::vector<BlockId> skip_;  // an ancestor further back (skip_height), for ancestor_at
  std::vector<BlockId> first_child_;
  std::vector<BlockId> last_child_;
  std::vector<BlockId> next_sibling_;
  bool track_subtrees_ = false;
  std::vector<double> subtree_weight_;
  std::vector<std::uint32_t> uncle_begin_;  // per block with uncles recorded, then one past the last
  std::vector<BlockId> uncle_ids_;
};

}  // namespace dltsim
