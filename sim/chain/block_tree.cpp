#include "sim/chain/block_tree.hpp"

#include <algorithm>
#include <stdexcept>

namespace dltsim {

namespace {

// Each block keeps one pointer to an ancestor further back, at a height chosen so that walks that
// follow these pointers where they do not overshoot take O(log height) steps (the skip list of
// Bitcoin Core's block index): clearing the lowest set bit of the height, twice for odd heights.
std::uint32_t without_lowest_bit(std::uint32_t n) {
  return n & (n - 1);
}

std::uint32_t skip_height(std::uint32_t height) {
  if (height < 2) return 0;
  return (height & 1) != 0 ? without_lowest_bit(without_lowest_bit(height - 1)) + 1
                           : without_lowest_bit(height);
}

}  // namespace

BlockTree::BlockTree() {
  blocks_.push_back(Block{kNoBlock, 0, kNoNode, 0.0, 0, 0.0, false});
  chain_weight_.push_back(0.0);
  skip_.push_back(kNoBlock);
  first_child_.push_back(kNoBlock);
  last_child_.push_back(kNoBlock);
  next_sibling_.push_back(kNoBlock);
}

BlockId BlockTree::add(BlockId parent, NodeId producer, double time_s, std::uint32_t size_bytes,
                       double weight, bool adversarial) {
  if (parent >= blocks_.size()) throw std::logic_error("BlockTree::add: unknown parent");
  if (blocks_.size() >= kNoBlock) throw std::length_error("BlockTree: too many blocks");
  const auto id = static_cast<BlockId>(blocks_.size());
  blocks_.push_back(
      Block{parent, blocks_[parent].height + 1, producer, time_s, size_bytes, weight, adversarial});
  chain_weight_.push_back(chain_weight_[parent] + weight);
  skip_.push_back(ancestor_at(parent, skip_height(blocks_[id].height)));
  first_child_.push_back(kNoBlock);
  last_child_.push_back(kNoBlock);
  next_sibling_.push_back(kNoBlock);
  if (first_child_[parent] == kNoBlock) {
    first_child_[parent] = id;
  } else {
    next_sibling_[last_child_[parent]] = id;
  }
  last_child_[parent] = id;
  if (track_subtrees_) {
    subtree_weight_.push_back(weight);
    for (BlockId b = parent; b != kNoBlock; b = blocks_[b].parent) subtree_weight_[b] += weight;
  }
  return id;
}

void BlockTree::track_subtrees() {
  if (blocks_.size() > 1) throw std::logic_error("BlockTree::track_subtrees: blocks already added");
  track_subtrees_ = true;
  subtree_weight_.assign(1, 0.0);
}

void BlockTree::set_uncles(BlockId id, const std::vector<BlockId>& uncles) {
  if (id + 1 != blocks_.size()) throw std::logic_error("BlockTree::set_uncles: not the newest block");
  // Blocks before the first one with uncles, and those since without, start where the list stands.
  if (uncle_begin_.empty()) uncle_begin_.push_back(0);
  uncle_begin_.resize(id + 1, static_cast<std::uint32_t>(uncle_ids_.size()));
  uncle_ids_.insert(uncle_ids_.end(), uncles.begin(), uncles.end());
  uncle_begin_.push_back(static_cast<std::uint32_t>(uncle_ids_.size()));
}

std::uint32_t BlockTree::uncle_count(BlockId id) const {
  if (id + 1 >= uncle_begin_.size()) return 0;
  return uncle_begin_[id + 1] - uncle_begin_[id];
}

BlockId BlockTree::common_ancestor(BlockId a, BlockId b) const {
  // Level the two, then walk up together: forks are usually a block or two deep.
  const std::uint32_t level = std::min(blocks_[a].height, blocks_[b].height);
  a = ancestor_at(a, level);
  b = ancestor_at(b, level);
  for (int step = 0; step < 8 && a != b; ++step) {
    a = blocks_[a].parent;
    b = blocks_[b].parent;
  }
  if (a == b) return a;
  // A deep fork: the deepest height at which the two chains agree, by bisection.
  std::uint32_t lo = 0, hi = blocks_[a].height;  // they agree at lo (genesis), differ at hi
  while (hi - lo > 1) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (ancestor_at(a, mid) == ancestor_at(b, mid)) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return ancestor_at(a, lo);
}

bool BlockTree::is_ancestor(BlockId ancestor, BlockId block) const {
  const std::uint32_t h = blocks_[ancestor].height;
  return blocks_[block].height >= h && ancestor_at(block, h) == ancestor;
}

BlockId BlockTree::ancestor_at(BlockId block, std::uint32_t height) const {
  std::uint32_t h = blocks_[block].height;
  while (h > height) {
    // Take the skip pointer when it lands on the target, or above it without jumping past a better
    // skip from the parent; else step to the parent.
    const std::uint32_t skip = skip_height(h);
    const std::uint32_t parent_skip = skip_height(h - 1);
    if (skip == height || (skip > height && !(parent_skip + 2 < skip && parent_skip >= height))) {
      block = skip_[block];
      h = skip;
    } else {
      block = blocks_[block].parent;
      --h;
    }
  }
  return block;
}

std::vector<bool> BlockTree::chain_flags(BlockId tip) const {
  std::vector<bool> flags(blocks_.size(), false);
  for (BlockId b = tip; b != kNoBlock; b = blocks_[b].parent) flags[b] = true;
  return flags;
}

}  // namespace dltsim
