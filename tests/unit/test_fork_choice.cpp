#include <catch2/catch.hpp>

#include "sim/chain/chain_view.hpp"

using namespace dltsim;

TEST_CASE("a longer chain wins and the reorg depth is reported") {
  BlockTree tree;
  Rng rng(1);
  ChainView view(tree);
  const BlockId a1 = tree.add(0, 1, 1.0, 100);
  const BlockId a2 = tree.add(a1, 1, 2.0, 100);
  const BlockId b1 = tree.add(0, 2, 1.5, 100);
  const BlockId b2 = tree.add(b1, 2, 2.5, 100);
  const BlockId b3 = tree.add(b2, 2, 3.0, 100);
  view.add(a1, TieRule{}, rng);
  view.add(a2, TieRule{}, rng);
  CHECK(view.head() == a2);
  CHECK_FALSE(view.add(b1, TieRule{}, rng).head_changed);
  CHECK_FALSE(view.add(b2, TieRule{}, rng).head_changed);  // tie at height 2: keep a2
  const ViewUpdate u = view.add(b3, TieRule{}, rng);
  CHECK(u.head_changed);
  CHECK(u.reorg_depth == 2);
  CHECK(u.old_head == a2);
  CHECK(view.head() == b3);
}

TEST_CASE("a tie keeps the block seen first") {
  BlockTree tree;
  Rng rng(1);
  ChainView view(tree);
  const BlockId x = tree.add(0, 1, 1.0, 100);
  const BlockId y = tree.add(0, 2, 1.0, 100);
  view.add(y, TieRule{}, rng);
  view.add(x, TieRule{}, rng);
  CHECK(view.head() == y);
}

TEST_CASE("random tie-breaking switches about half the time") {
  // 2000 independent ties: switches ~ Binomial(2000, 1/2), sd 22.4; 4 sd.
  int switched = 0;
  Rng rng(3);
  for (int i = 0; i < 2000; ++i) {
    BlockTree tree;
    ChainView view(tree);
    view.add(tree.add(0, 1, 1.0, 1), TieRule{TieBreak::random, 0}, rng);
    switched += view.add(tree.add(0, 2, 1.0, 1), TieRule{TieBreak::random, 0}, rng).head_changed ? 1 : 0;
  }
  CHECK(std::abs(switched - 1000) < 90);
}

TEST_CASE("a block needs its parent") {
  BlockTree tree;
  Rng rng(1);
  ChainView view(tree);
  const BlockId a = tree.add(0, 1, 1.0, 1);
  const BlockId b = tree.add(a, 1, 2.0, 1);
  CHECK_THROWS(view.add(b, TieRule{}, rng));
}

TEST_CASE("common ancestor and main-chain flags") {
  BlockTree tree;
  const BlockId a = tree.add(0, 1, 1, 1), b = tree.add(a, 1, 2, 1), c = tree.add(a, 2, 2, 1);
  CHECK(tree.common_ancestor(b, c) == a);
  CHECK(tree.is_ancestor(a, c));
  CHECK_FALSE(tree.is_ancestor(b, c));
  const auto flags = tree.chain_flags(b);
  CHECK(flags[0]);
  CHECK(flags[a]);
  CHECK(flags[b]);
  CHECK_FALSE(flags[c]);
}
