#pragma once
// One node's latest messages, aggregated. The specification keeps each validator's latest vote;
// with a million validators on ten thousand nodes that is 10^10 entries, so a node keeps instead the
// stake voting for each block in the current and the previous epoch, per class of validators
// (honest, or an attack's). Every validator votes once per epoch, so a vote of epoch e replaces that
// validator's vote of epoch e - 1. Which of those it replaces is not tracked: the shuffle deals each
// epoch's committees independently of the last, so a new vote of stake w replaces the share
// w / (stake of its class not yet re-voted) of every previous-epoch vote of its class (the
// expectation over the shuffle; docs/gasper.md). The store receives the changes as they happen.

#include <cstdint>
#include <utility>
#include <vector>

#include "protocols/gasper/fork_choice_store.hpp"

namespace dltsim::gasper {

/// Classes of validators whose votes replace only their own class's.
inline constexpr std::size_t kVoteClasses = 2;  // 0: honest, 1: adversarial

/// A node's latest-message bookkeeping.
class VoteBook {
 public:
  /// class_stake: the stake of each class (validators).
  explicit VoteBook(std::vector<double> class_stake);
  /// A vote of `epoch` (target epoch) by `stake` of class `cls` for `head` arrives; the store moves.
  void add(ForkChoiceStore& store, std::uint64_t epoch, BlockId head, double stake, std::size_t cls);
  /// Removes a class's stake from fork choice for good (its validators equivocated).
  void discount(ForkChoiceStore& store, std::size_t cls, double stake);
  /// The latest epoch voted in.
  std::uint64_t epoch() const { return epoch_; }

 private:
  struct Pool {
    std::vector<std::pair<BlockId, double>> votes;
    double remaining = 0;  // stake of the class whose vote here is still its latest
  };
  void advance(ForkChoiceStore& store, std::uint64_t epoch);
  static void drop(ForkChoiceStore& store, Pool& pool);
  static void scale(ForkChoiceStore& store, Pool& pool, double keep);
  std::vector<double> class_stake_;
  std::uint64_t epoch_ = 0;
  std::vector<Pool> current_;
  std::vector<Pool> previous_;
};

}  // namespace dltsim::gasper
