// LMD-GHOST with proposer boost (consensus-specs phase0 fork-choice.md) on hand-built trees: the
// heaviest subtree wins, and the boost decides ex-ante reorgs at the thresholds of Schwarz-Schilling
// et al. (FC 2022): a withheld block with its own committee's share b of the votes beats the next
// honest proposer's boosted block when b exceeds the boost, l such slots in a row when l b does.

#include <catch2/catch.hpp>

#include "protocols/gasper/fork_choice_store.hpp"
#include "protocols/gasper/vote_book.hpp"

using namespace dltsim;
using namespace dltsim::gasper;

namespace {

constexpr double kCommittee = 100;  // one slot's committee weight

// Parent P at slot 1; an adversarial chain of `withheld` blocks in slots 2.. (each carrying its
// committee's share b of votes); the honest proposer of the next slot builds on P and gets the
// boost; the honest attesters of the withheld slots voted for P (they saw nothing else).
BlockId ex_ante_head(double b, std::uint32_t withheld, double boost) {
  BeaconBlocks blocks(32);
  const BlockId p = blocks.add(0, 1, 1, 12, 1000, FfgState{});
  BlockId a = p;
  for (std::uint32_t i = 0; i < withheld; ++i)
    a = blocks.add(a, 2, 2 + i, 24 + 12.0 * i, 1000, FfgState{}, true);
  const BlockId h = blocks.add(p, 3, 2 + withheld, 24 + 12.0 * withheld, 1000, FfgState{});
  ForkChoiceStore store(blocks, kCommittee, boost);
  for (BlockId x = 1; x < blocks.size(); ++x) store.on_block(x);
  for (BlockId x = p + 1; x <= a; ++x) store.add_votes(x, b * kCommittee);
  store.add_votes(p, withheld * (1 - b) * kCommittee);
  store.set_boost(h);
  const BlockId head = store.head(0);
  REQUIRE((head == a || head == h));
  return head == a ? 1 : 0;  // 1: the reorg succeeded
}

}  // namespace

TEST_CASE("the heaviest subtree wins at a fork, not the longest branch") {
  BeaconBlocks blocks(32);
  const BlockId a1 = blocks.add(0, 1, 1, 12, 1000, FfgState{});
  const BlockId a2 = blocks.add(a1, 1, 2, 24, 1000, FfgState{});
  const BlockId b1 = blocks.add(0, 2, 3, 36, 1000, FfgState{});
  ForkChoiceStore store(blocks, kCommittee, 0.4);
  for (BlockId x : {a1, a2, b1}) store.on_block(x);
  store.add_votes(a1, 20);
  store.add_votes(a2, 20);
  store.add_votes(b1, 30);
  CHECK(store.head(0) == a2);  // 40 against 30
  store.add_votes(b1, 15);
  CHECK(store.head(0) == b1);  // 40 against 45
  CHECK(store.weight(a1) == 40);
  CHECK(store.weight(0) == 85);
}

TEST_CASE("a single-slot ex-ante reorg succeeds when the boost is below b") {
  CHECK(ex_ante_head(0.30, 1, 0.0) == 1);   // no boost: any withheld votes win
  CHECK(ex_ante_head(0.30, 1, 0.29) == 1);  // boost just below b
  CHECK(ex_ante_head(0.30, 1, 0.31) == 0);  // just above
  CHECK(ex_ante_head(0.30, 1, 0.40) == 0);  // today's boost
  CHECK(ex_ante_head(0.41, 1, 0.40) == 1);
  CHECK(ex_ante_head(0.30, 1, 0.70) == 0);  // the boost first deployed
}

TEST_CASE("with l withheld slots in a row the threshold is l b") {
  CHECK(ex_ante_head(0.21, 2, 0.40) == 1);  // 0.42 > 0.40
  CHECK(ex_ante_head(0.19, 2, 0.40) == 0);  // 0.38 < 0.40
  CHECK(ex_ante_head(0.14, 3, 0.40) == 1);  // 0.42
  CHECK(ex_ante_head(0.13, 3, 0.40) == 0);  // 0.39
}

TEST_CASE("the boost counts for the boosted block's ancestors only") {
  BeaconBlocks blocks(32);
  const BlockId a = blocks.add(0, 1, 1, 12, 1000, FfgState{});
  const BlockId b = blocks.add(0, 2, 2, 24, 1000, FfgState{});
  const BlockId b2 = blocks.add(b, 2, 3, 36, 1000, FfgState{});
  ForkChoiceStore store(blocks, kCommittee, 0.4);
  for (BlockId x : {a, b, b2}) store.on_block(x);
  store.add_votes(a, 30);
  store.set_boost(b2);
  CHECK(store.head(0) == b2);
  CHECK(store.weight(b) == 40);
  CHECK(store.weight(a) == 30);
  store.set_boost(kNoBlock);  // the next slot starts
  CHECK(store.head(0) == a);
}

TEST_CASE("the store follows the highest justified checkpoint and filters conflicting branches") {
  BeaconBlocks blocks(4);  // short epochs keep the tree small
  FfgState justified1;
  justified1.current_justified = Checkpoint{1, 1};
  const BlockId c1 = blocks.add(0, 1, 4, 48, 1000, FfgState{});  // checkpoint of epoch 1
  const BlockId x = blocks.add(0, 2, 5, 60, 1000, FfgState{});   // a branch beside it
  const BlockId d = blocks.add(c1, 1, 8, 96, 1000, justified1);  // epoch 2, justifies c1
  ForkChoiceStore store(blocks, kCommittee, 0.4);
  for (BlockId b : {c1, x, d}) store.on_block(b);
  CHECK(store.justified() == Checkpoint{1, c1});
  store.add_votes(x, 90);  // heavy, but not a descendant of the justified checkpoint
  CHECK(store.head(2) == d);
  FfgState finalized1 = justified1;
  finalized1.finalized = Checkpoint{1, c1};
  const BlockId e = blocks.add(d, 1, 12, 144, 1000, finalized1);
  store.on_block(e);
  CHECK(store.finalized() == Checkpoint{1, c1});
  CHECK(store.head(3) == e);
}

TEST_CASE("a block before its parent and a boost outside [0 1] are errors") {
  BeaconBlocks blocks(32);
  const BlockId a = blocks.add(0, 1, 1, 12, 1000, FfgState{});
  const BlockId b = blocks.add(a, 1, 2, 24, 1000, FfgState{});
  ForkChoiceStore store(blocks, kCommittee, 0.4);
  CHECK_THROWS(store.on_block(b));
  CHECK_THROWS(ForkChoiceStore(blocks, kCommittee, 1.5));
  CHECK_THROWS(blocks.add(b, 1, 2, 24, 1000, FfgState{}));  // a slot not after its parent's
  CHECK_THROWS(BeaconBlocks(0));
}

TEST_CASE("a vote of the next epoch replaces its share of the class's previous votes") {
  BeaconBlocks blocks(32);
  const BlockId a = blocks.add(0, 1, 1, 12, 1000, FfgState{});
  const BlockId b = blocks.add(a, 1, 33, 396, 1000, FfgState{});
  ForkChoiceStore store(blocks, kCommittee, 0.4);
  store.on_block(a);
  store.on_block(b);
  VoteBook book({100.0, 20.0});
  book.add(store, 0, a, 100, 0);  // every honest validator voted for a in epoch 0
  book.add(store, 0, a, 20, 1);   // and every adversarial one
  CHECK(store.votes(a) == 120);
  book.add(store, 1, b, 25, 0);  // a quarter of the honest ones vote again, for b
  CHECK(store.votes(b) == 25);
  CHECK(store.votes(a) == Approx(95));  // their epoch-0 votes are gone; the adversary's stay
  book.add(store, 1, b, 75, 0);         // the other three quarters
  CHECK(store.votes(a) == Approx(20));
  book.add(store, 3, b, 10, 0);  // epoch 2 passed without votes: epoch 0 and 1 votes are too old
  CHECK(store.votes(a) == Approx(0));
  CHECK(store.votes(b) == Approx(10));
  book.add(store, 1, a, 5, 0);  // older than the previous epoch: ignored
  CHECK(store.votes(a) == Approx(0));
}
