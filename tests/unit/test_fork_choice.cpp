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

TEST_CASE("GHOST follows the heaviest subtree where the longest chain follows the longest") {
  // genesis -> a1 -> a2 -> a3 (3 blocks) against genesis -> b1 -> {b2, c2, d2} (4 blocks, height 2).
  BlockTree tree;
  tree.track_subtrees();
  Rng rng(1);
  ChainView longest(tree), ghost(tree, ForkChoice::ghost);
  const BlockId a1 = tree.add(0, 1, 1, 1), a2 = tree.add(a1, 1, 2, 1), a3 = tree.add(a2, 1, 3, 1);
  const BlockId b1 = tree.add(0, 2, 1, 1), b2 = tree.add(b1, 2, 2, 1), c2 = tree.add(b1, 3, 2, 1),
                d2 = tree.add(b1, 4, 2, 1);
  for (BlockId b : {a1, a2, a3, b1, b2, c2, d2}) {
    longest.add(b, TieRule{}, rng);
    ghost.add(b, TieRule{}, rng);
  }
  CHECK(longest.head() == a3);
  CHECK(ghost.head() == b2);  // b1's subtree (4) outweighs a1's (3); among b1's children the first seen
  CHECK(ghost_head(tree) == b2);
  CHECK(tree.subtree_weight(b1) == 4);
  CHECK(tree.subtree_weight(0) == 7);
}

TEST_CASE("GHOST weighs only the blocks a node knows") {
  BlockTree tree;
  tree.track_subtrees();
  Rng rng(1);
  ChainView view(tree, ForkChoice::ghost);
  const BlockId a1 = tree.add(0, 1, 1, 1), a2 = tree.add(a1, 1, 2, 1);
  const BlockId b1 = tree.add(0, 2, 1, 1), b2 = tree.add(b1, 2, 2, 1), b3 = tree.add(b2, 2, 3, 1);
  view.add(a1, TieRule{}, rng);
  view.add(a2, TieRule{}, rng);
  view.add(b1, TieRule{}, rng);
  CHECK(view.head() == a2);  // b1's subtree holds 3 blocks, but this node knows 1 of them
  CHECK(view.known_subtree_weight(b1) == 1);
  view.add(b2, TieRule{}, rng);
  CHECK(view.head() == a2);  // 2 against 2: the first seen stays
  const ViewUpdate u = view.add(b3, TieRule{}, rng);
  CHECK(u.head_changed);
  CHECK(u.reorg_depth == 2);
  CHECK(view.head() == b3);
}

namespace {

// GHOST over the blocks `known` holds, recomputed from scratch (subtree weights summed child to parent:
// ids grow from parents to children).
BlockId ghost_from_scratch(const BlockTree& tree, const std::vector<bool>& known) {
  std::vector<double> w(tree.size(), 0);
  for (BlockId b = tree.size() - 1; b > 0; --b) {
    if (!known[b]) continue;
    w[b] += tree.get(b).weight;
    w[tree.get(b).parent] += w[b];
  }
  BlockId b = 0;
  for (;;) {
    BlockId best = kNoBlock;
    for (BlockId c = tree.first_child(b); c != kNoBlock; c = tree.next_sibling(c)) {
      if (known[c] && (best == kNoBlock || w[c] > w[best])) best = c;
    }
    if (best == kNoBlock) return b;
    b = best;
  }
}

}  // namespace

TEST_CASE("incremental GHOST agrees with GHOST recomputed from scratch") {
  // Random trees (each block on a random recent block) delivered to a view in a random order that
  // respects parents; weights 1 + small distinct amounts, so that the heaviest subtree is unique.
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    BlockTree tree;
    tree.track_subtrees();
    for (int i = 0; i < 300; ++i) {
      const BlockId newest = tree.size() - 1;
      const BlockId parent = newest - static_cast<BlockId>(rng() % std::min<std::uint64_t>(newest + 1, 6));
      tree.add(parent, 0, i, 1, 1 + static_cast<double>(rng() % 1000003) * 1e-9);
    }
    ChainView view(tree, ForkChoice::ghost);
    std::vector<bool> known(tree.size(), false);
    known[0] = true;
    std::vector<BlockId> ready;
    for (BlockId c = tree.first_child(0); c != kNoBlock; c = tree.next_sibling(c)) ready.push_back(c);
    while (!ready.empty()) {
      const std::size_t k = rng() % ready.size();
      const BlockId b = ready[k];
      ready.erase(ready.begin() + static_cast<std::ptrdiff_t>(k));
      view.add(b, TieRule{}, rng);
      known[b] = true;
      REQUIRE(view.head() == ghost_from_scratch(tree, known));
      for (BlockId c = tree.first_child(b); c != kNoBlock; c = tree.next_sibling(c)) ready.push_back(c);
    }
  }
}

TEST_CASE("uncles are recorded per block") {
  BlockTree tree;
  const BlockId a = tree.add(0, 1, 1, 1), b = tree.add(0, 2, 1, 1), c = tree.add(a, 1, 2, 1);
  tree.set_uncles(c, {b});
  const BlockId d = tree.add(c, 1, 3, 1);
  CHECK(tree.uncle_count(a) == 0);
  CHECK(tree.uncle_count(c) == 1);
  CHECK(tree.uncle(c, 0) == b);
  CHECK(tree.uncle_count(d) == 0);
  tree.set_uncles(d, {});
  CHECK(tree.uncle_count(d) == 0);
}

TEST_CASE("the vrf tie-break is the same at every node") {
  BlockTree tree;
  Rng rng(1);
  const TieRule vrf{TieBreak::vrf, 0, 42};
  const BlockId x = tree.add(0, 1, 1.0, 1), y = tree.add(0, 2, 1.0, 1);
  ChainView first_x(tree), first_y(tree);
  first_x.add(x, vrf, rng);
  first_x.add(y, vrf, rng);
  first_y.add(y, vrf, rng);
  first_y.add(x, vrf, rng);
  CHECK(first_x.head() == first_y.head());
  CHECK(first_x.head() == (vrf_value(vrf, x) < vrf_value(vrf, y) ? x : y));
}

TEST_CASE("ancestor_at with skip pointers agrees with walking parents") {
  Rng rng(5);
  BlockTree tree;
  for (int i = 0; i < 3000; ++i) {
    const BlockId newest = tree.size() - 1;
    tree.add(newest - static_cast<BlockId>(rng() % std::min<std::uint64_t>(newest + 1, 4)), 0, i, 1);
  }
  for (int i = 0; i < 3000; ++i) {
    const BlockId b = static_cast<BlockId>(rng() % tree.size());
    const std::uint32_t h = static_cast<std::uint32_t>(rng() % (tree.get(b).height + 1));
    BlockId walk = b;
    while (tree.get(walk).height > h) walk = tree.get(walk).parent;
    REQUIRE(tree.ancestor_at(b, h) == walk);
    const BlockId other = static_cast<BlockId>(rng() % tree.size());
    BlockId up = other;
    while (up != kNoBlock && tree.get(up).height > tree.get(b).height) up = tree.get(up).parent;
    REQUIRE(tree.is_ancestor(b, other) == (up == b));
  }
}

TEST_CASE("common_ancestor of deep forks agrees with walking parents") {
  Rng rng(9);
  BlockTree tree;
  for (int i = 0; i < 4000; ++i) {
    const BlockId newest = tree.size() - 1;
    // Mostly on a recent block, sometimes far back: deep forks.
    const std::uint64_t back =
        rng() % 10 == 0 ? rng() % (newest + 1) : rng() % std::min<std::uint64_t>(newest + 1, 3);
    tree.add(newest - static_cast<BlockId>(back), 0, i, 1);
  }
  for (int i = 0; i < 4000; ++i) {
    BlockId a = static_cast<BlockId>(rng() % tree.size()), b = static_cast<BlockId>(rng() % tree.size());
    const BlockId got = tree.common_ancestor(a, b);
    while (a != b) {
      if (tree.get(a).height >= tree.get(b).height) {
        a = tree.get(a).parent;
      } else {
        b = tree.get(b).parent;
      }
    }
    REQUIRE(got == a);
  }
}
