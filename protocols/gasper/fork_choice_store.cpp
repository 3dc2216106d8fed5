#include "protocols/gasper/fork_choice_store.hpp"

#include <algorithm>
#include <stdexcept>

namespace dltsim::gasper {

std::uint64_t root_order(BlockId b) {
  // splitmix64: distinct blocks get unrelated values, as hashes do.
  std::uint64_t z = static_cast<std::uint64_t>(b) + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

ForkChoiceStore::ForkChoiceStore(const BeaconBlocks& blocks, double committee_weight_stake, double boost)
    : blocks_(blocks),
      committee_weight_(committee_weight_stake),
      boost_(boost),
      known_{true},
      known_ids_{0},
      votes_(1, 0.0) {
  if (!(boost >= 0 && boost <= 1)) throw std::invalid_argument("proposer boost must be within [0, 1]");
}

void ForkChoiceStore::on_block(BlockId b) {
  if (knows(b)) return;
  if (!knows(blocks_.parent(b))) throw std::logic_error("fork choice: a block before its parent");
  if (b >= known_.size()) {
    known_.resize(b + 1, false);
    votes_.resize(b + 1, 0.0);
  }
  known_[b] = true;
  known_ids_.insert(std::upper_bound(known_ids_.begin(), known_ids_.end(), b), b);
  // on_block: the highest justified and finalised seen, and the unrealized ones, which count at once
  // for a block of an earlier epoch (pulled up) and at the next epoch's start otherwise.
  update_checkpoints(blocks_.state(b));
  const FfgState& u = blocks_.unrealized(b);
  if (u.current_justified.epoch > unrealized_justified_.epoch) unrealized_justified_ = u.current_justified;
  if (u.finalized.epoch > unrealized_finalized_.epoch) unrealized_finalized_ = u.finalized;
  if (blocks_.epoch(b) < epoch_) update_checkpoints(u);
}

void ForkChoiceStore::update_checkpoints(const FfgState& s) {
  if (s.current_justified.epoch > justified_.epoch) justified_ = s.current_justified;
  if (s.finalized.epoch > finalized_.epoch) finalized_ = s.finalized;
}

void ForkChoiceStore::add_votes(BlockId b, double stake) {
  if (b >= votes_.size()) votes_.resize(b + 1, 0.0);
  votes_[b] += stake;
}

bool ForkChoiceStore::viable_leaf(BlockId b, std::uint64_t current_epoch) const {
  // get_voting_source: a block of an earlier epoch votes from its pulled-up justification.
  const FfgState& s = current_epoch > blocks_.epoch(b) ? blocks_.unrealized(b) : blocks_.state(b);
  const std::uint64_t source = s.current_justified.epoch;
  const bool correct_justified =
      justified_.epoch == 0 || source == justified_.epoch || source + 2 >= current_epoch;
  const bool correct_finalized =
      finalized_.epoch == 0 || blocks_.checkpoint(b, finalized_.epoch).root == finalized_.root;
  return correct_justified && correct_finalized;
}

BlockId ForkChoiceStore::head(std::uint64_t current_epoch) {
  if (current_epoch > epoch_) {
    // on_tick at an epoch's start: the unrealized checkpoints become the store's.
    epoch_ = current_epoch;
    update_checkpoints(FfgState{Checkpoint{}, unrealized_justified_, unrealized_finalized_, 0});
  }
  const BlockId root = justified_.root;
  subtree_.assign(known_.size(), 0.0);
  viable_.assign(known_.size(), 0);
  has_child_.assign(known_.size(), 0);
  // Descendants of the root have larger ids: one pass from the newest block down adds each
  // subtree to its parent and marks viability (filter_block_tree) bottom-up.
  const auto first = std::lower_bound(known_ids_.begin(), known_ids_.end(), root);
  for (auto it = known_ids_.end(); it != first;) {
    const BlockId b = *--it;
    if (b != root && !blocks_.is_ancestor(root, b)) continue;
    double w = votes_[b];
    if (b == boost_block_) w += boost_ * committee_weight_;
    subtree_[b] += w;
    if (!has_child_[b]) viable_[b] = viable_leaf(b, current_epoch) ? 1 : 0;
    if (b != root) {
      const BlockId p = blocks_.parent(b);
      subtree_[p] += subtree_[b];
      has_child_[p] = 1;
      if (viable_[b]) viable_[p] = 1;
    }
  }
  // get_head: from the root, the viable child of largest weight, ties to the larger root order.
  BlockId head = root;
  for (;;) {
    BlockId best = kNoBlock;
    for (BlockId c = blocks_.tree().first_child(head); c != kNoBlock; c = blocks_.tree().next_sibling(c)) {
      if (!knows(c) || !viable_[c]) continue;
      if (best == kNoBlock || subtree_[c] > subtree_[best] ||
          (subtree_[c] == subtree_[best] && root_order(c) > root_order(best))) {
        best = c;
      }
    }
    if (best == kNoBlock) return head;
    head = best;
  }
}

}  // namespace dltsim::gasper
