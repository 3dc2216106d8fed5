#include "sim/chain/chain_view.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/random/bernoulli_distribution.hpp>

#include "sim/core/enum_names.hpp"

namespace dltsim {

namespace {

const EnumNames<TieBreak>& tie_break_table() {
  static const EnumNames<TieBreak> names{{TieBreak::first_seen, "first_seen"},
                                         {TieBreak::random, "random"},
                                         {TieBreak::gamma, "gamma"},
                                         {TieBreak::vrf, "vrf"}};
  return names;
}

const EnumNames<ForkChoice>& fork_choice_table() {
  static const EnumNames<ForkChoice> names{{ForkChoice::longest, "longest"}, {ForkChoice::ghost, "ghost"}};
  return names;
}

}  // namespace

const std::vector<std::string>& tie_break_names() {
  return tie_break_table().names();
}

TieBreak tie_break_from_name(const std::string& name) {
  return tie_break_table().value(name);
}

const std::vector<std::string>& fork_choice_names() {
  return fork_choice_table().names();
}

ForkChoice fork_choice_from_name(const std::string& name) {
  return fork_choice_table().value(name);
}

BlockId ghost_head(const BlockTree& tree) {
  BlockId b = 0;
  for (;;) {
    BlockId best = kNoBlock;
    for (BlockId c = tree.first_child(b); c != kNoBlock; c = tree.next_sibling(c)) {
      if (best == kNoBlock || tree.subtree_weight(c) > tree.subtree_weight(best)) best = c;
    }
    if (best == kNoBlock) return b;
    b = best;
  }
}

std::uint64_t vrf_value(const TieRule& tie, BlockId block) {
  return mix64(tie.seed ^ mix64(block));
}

ChainView::ChainView(const BlockTree& tree, ForkChoice rule) : tree_(tree), rule_(rule), known_(1, true) {}

void ChainView::learn(BlockId block) {
  if (block >= known_.size()) known_.resize(std::max<std::size_t>(block + 1, known_.size() * 2), false);
  known_[block] = true;
  if (block < scanned_) {
    const auto it = std::lower_bound(unknown_.begin(), unknown_.end(), block);
    if (it != unknown_.end() && *it == block) unknown_.erase(it);
  }
}

double ChainView::known_subtree_weight(BlockId block) {
  // Blocks produced since the last look that this node lacks join the unknown list (ids only grow).
  for (; scanned_ < tree_.size(); ++scanned_) {
    if (!knows(scanned_)) unknown_.push_back(scanned_);
  }
  double w = tree_.subtree_weight(block);
  // Descendants of `block` have larger ids, and so does every block between them and it: an unknown
  // block is in the subtree iff its parent is `block` or in the subtree, and a parent with a smaller
  // id than `block` is not. Unknown parents come earlier in the (sorted) list and are decided first.
  const auto first = std::upper_bound(unknown_.begin(), unknown_.end(), block);
  in_subtree_.assign(static_cast<std::size_t>(unknown_.end() - first), 0);
  for (auto it = first; it != unknown_.end(); ++it) {
    const BlockId parent = tree_.get(*it).parent;
    bool in = false;
    if (parent == block) {
      in = true;
    } else if (parent > block) {
      // Usually the unknown block just before (a chain this node has not received).
      const auto p = it != first && *(it - 1) == parent ? it - 1 : std::lower_bound(first, it, parent);
      in = p != it && *p == parent ? in_subtree_[static_cast<std::size_t>(p - first)] != 0
                                   : tree_.is_ancestor(block, parent);
    }
    if (in) {
      in_subtree_[static_cast<std::size_t>(it - first)] = 1;
      w -= tree_.get(*it).weight;
    }
  }
  return w;
}

BlockId ChainView::ghost_descend(BlockId from) {
  // Down the heaviest known subtree; among equals the earliest produced (lowest id).
  BlockId b = from;
  for (;;) {
    BlockId best = kNoBlock, second = kNoBlock;
    for (BlockId c = tree_.first_child(b); c != kNoBlock; c = tree_.next_sibling(c)) {
      if (!knows(c)) continue;
      if (best == kNoBlock) {
        best = c;
      } else {
        second = c;
        break;
      }
    }
    if (best == kNoBlock) return b;
    if (second != kNoBlock) {  // a fork: weigh every known child
      double best_w = known_subtree_weight(best);
      for (BlockId c = tree_.next_sibling(best); c != kNoBlock; c = tree_.next_sibling(c)) {
        if (!knows(c)) continue;
        const double w = known_subtree_weight(c);
        if (w > best_w) {
          best = c;
          best_w = w;
        }
      }
    }
    b = best;
  }
}

ViewUpdate ChainView::add_ghost(BlockId block, const TieRule& tie, Rng& rng) {
  // Only the ancestors of `block` gained weight, so the choice changes at most at the fork between
  // the current head and `block`: above it both sides gained, below it only `block`'s side.
  const BlockId fork = tree_.common_ancestor(head_, block);
  if (fork == head_) return switch_to(ghost_descend(head_));
  const std::uint32_t h = tree_.get(fork).height + 1;
  const BlockId ours = tree_.ancestor_at(head_, h);
  const BlockId theirs = tree_.ancestor_at(block, h);
  const double w_ours = known_subtree_weight(ours);
  const double w_theirs = known_subtree_weight(theirs);
  const bool take = w_theirs > w_ours || (w_theirs == w_ours && take_on_tie(block, tie, rng));
  if (!take) return ViewUpdate{false, head_, 0};
  return switch_to(ghost_descend(theirs));
}

ViewUpdate ChainView::switch_to(BlockId block) {
  ViewUpdate u;
  u.old_head = head_;
  if (block == head_) return u;
  const BlockId fork = tree_.common_ancestor(head_, block);
  u.reorg_depth = tree_.get(head_).height - tree_.get(fork).height;
  u.head_changed = true;
  head_ = block;
  return u;
}

bool ChainView::take_on_tie(BlockId block, const TieRule& tie, Rng& rng) const {
  switch (tie.kind) {
    case TieBreak::first_seen:
      return false;
    case TieBreak::random:
      return boost::random::bernoulli_distribution<>(0.5)(rng);
    case TieBreak::vrf:
      return vrf_value(tie, block) < vrf_value(tie, head_);
    case TieBreak::gamma: {
      const bool new_adversarial = tree_.get(block).adversarial;
      if (new_adversarial == tree_.get(head_).adversarial) return false;
      // The attacker's side of the tie wins with probability gamma, whichever arrived first.
      return boost::random::bernoulli_distribution<>(new_adversarial ? tie.gamma : 1 - tie.gamma)(rng);
    }
  }
  return false;
}

ViewUpdate ChainView::add(BlockId block, const TieRule& tie, Rng& rng) {
  if (!knows(tree_.get(block).parent)) throw std::logic_error("ChainView::add: parent unknown");
  learn(block);
  if (rule_ == ForkChoice::ghost) return add_ghost(block, tie, rng);
  const double w_new = tree_.chain_weight(block);
  const double w_head = tree_.chain_weight(head_);
  const bool take = w_new > w_head || (w_new == w_head && take_on_tie(block, tie, rng));
  if (!take) return ViewUpdate{false, head_, 0};
  return switch_to(block);
}

ViewUpdate ChainView::adopt(BlockId block) {
  if (!knows(block)) throw std::logic_error("ChainView::adopt: block unknown");
  return switch_to(block);
}

}  // namespace dltsim
