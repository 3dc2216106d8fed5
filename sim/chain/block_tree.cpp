#include "sim/chain/block_tree.hpp"

#include <stdexcept>

namespace dltsim {

BlockTree::BlockTree() {
  blocks_.push_back(Block{kNoBlock, 0, kNoNode, 0.0, 0, 0.0, false});
  chain_weight_.push_back(0.0);
}

BlockId BlockTree::add(BlockId parent, NodeId producer, double time_s, std::uint32_t size_bytes,
                       double weight, bool adversarial) {
  if (parent >= blocks_.size()) throw std::logic_error("BlockTree::add: unknown parent");
  if (blocks_.size() >= kNoBlock) throw std::length_error("BlockTree: too many blocks");
  blocks_.push_back(
      Block{parent, blocks_[parent].height + 1, producer, time_s, size_bytes, weight, adversarial});
  chain_weight_.push_back(chain_weight_[parent] + weight);
  return static_cast<BlockId>(blocks_.size() - 1);
}

BlockId BlockTree::common_ancestor(BlockId a, BlockId b) const {
  while (a != b) {
    if (blocks_[a].height >= blocks_[b].height) {
      a = blocks_[a].parent;
    } else {
      b = blocks_[b].parent;
    }
  }
  return a;
}

bool BlockTree::is_ancestor(BlockId ancestor, BlockId block) const {
  const std::uint32_t h = blocks_[ancestor].height;
  while (blocks_[block].height > h) block = blocks_[block].parent;
  return block == ancestor;
}

BlockId BlockTree::ancestor_at(BlockId block, std::uint32_t height) const {
  while (blocks_[block].height > height) block = blocks_[block].parent;
  return block;
}

std::vector<bool> BlockTree::chain_flags(BlockId tip) const {
  std::vector<bool> flags(blocks_.size(), false);
  for (BlockId b = tip; b != kNoBlock; b = blocks_[b].parent) flags[b] = true;
  return flags;
}

}  // namespace dltsim
