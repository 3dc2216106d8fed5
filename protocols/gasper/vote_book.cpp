#include "protocols/gasper/vote_book.hpp"

#include <algorithm>

namespace dltsim::gasper {

VoteBook::VoteBook(std::vector<double> class_stake)
    : class_stake_(std::move(class_stake)), current_(class_stake_.size()), previous_(class_stake_.size()) {
  for (std::size_t c = 0; c < class_stake_.size(); ++c) current_[c].remaining = class_stake_[c];
}

void VoteBook::drop(ForkChoiceStore& store, Pool& pool) {
  for (const auto& [block, stake] : pool.votes) store.add_votes(block, -stake);
  pool.votes.clear();
}

void VoteBook::scale(ForkChoiceStore& store, Pool& pool, double keep) {
  for (auto& [block, stake] : pool.votes) {
    const double gone = stake * (1 - keep);
    store.add_votes(block, -gone);
    stake -= gone;
  }
}

void VoteBook::advance(ForkChoiceStore& store, std::uint64_t epoch) {
  for (std::size_t c = 0; c < current_.size(); ++c) {
    drop(store, previous_[c]);  // what epoch_ did not replace: those validators' votes are too old
    if (epoch == epoch_ + 1) {
      previous_[c] = std::move(current_[c]);
      previous_[c].remaining = class_stake_[c];
    } else {
      drop(store, current_[c]);
      previous_[c] = Pool{};
    }
    current_[c] = Pool{};
    current_[c].remaining = class_stake_[c];
  }
  epoch_ = epoch;
}

void VoteBook::add(ForkChoiceStore& store, std::uint64_t epoch, BlockId head, double stake, std::size_t cls) {
  if (epoch > epoch_) advance(store, epoch);
  if (epoch + 1 < epoch_) return;  // older than the previous epoch: the specification ignores it
  Pool& pool = epoch == epoch_ ? current_[cls] : previous_[cls];
  store.add_votes(head, stake);
  pool.votes.emplace_back(head, stake);
  if (epoch == epoch_) {
    Pool& old = previous_[cls];
    if (old.remaining > 0) scale(store, old, 1 - std::min(1.0, stake / old.remaining));
    old.remaining = std::max(0.0, old.remaining - stake);
  }
}

void VoteBook::discount(ForkChoiceStore& store, std::size_t cls, double stake) {
  for (Pool* pool : {&current_[cls], &previous_[cls]}) {
    double total = 0;
    for (const auto& v : pool->votes) total += v.second;
    if (total > 0) scale(store, *pool, std::max(0.0, 1 - stake / total));
  }
  class_stake_[cls] = std::max(0.0, class_stake_[cls] - stake);
}

}  // namespace dltsim::gasper
