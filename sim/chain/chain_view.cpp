#include "sim/chain/chain_view.hpp"

#include <stdexcept>

#include <boost/random/bernoulli_distribution.hpp>

namespace dltsim {

const std::vector<std::string>& tie_break_names() {
  static const std::vector<std::string> names{"first_seen", "random", "gamma"};
  return names;
}

TieBreak tie_break_from_name(const std::string& name) {
  const auto& names = tie_break_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<TieBreak>(i);
  }
  throw std::invalid_argument("unknown tie-break rule: " + name);
}

ChainView::ChainView(const BlockTree& tree) : tree_(tree), known_(1, true) {}

void ChainView::learn(BlockId block) {
  if (block >= known_.size()) known_.resize(std::max<std::size_t>(block + 1, known_.size() * 2), false);
  known_[block] = true;
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
