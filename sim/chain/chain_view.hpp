#pragma once
// One node's view of the block tree: which blocks it has and which chain head it follows, with the
// fork-choice rule: the heaviest chain (longest, for constant difficulty) or the heaviest subtree
// (GHOST, Sompolinsky and Zohar 2015); on a tie the node keeps the head it saw first, or (the
// Eyal-Sirer mitigation) picks uniformly at random.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/chain/block_tree.hpp"
#include "sim/core/rng.hpp"

namespace dltsim {

/// How a node chooses between chains of equal weight.
enum class TieBreak {
  first_seen,  ///< keep the current head (Bitcoin Core)
  random,      ///< switch with probability 1/2 (uniform random tie-breaking, Eyal and Sirer 2014)
  gamma,       ///< idealised studies: between an attacker's and an honest head, take the attacker's with
               ///< probability gamma (Eyal and Sirer's gamma); otherwise keep the first seen
  vrf,         ///< take the tip with the lower pseudo-random value, the same at every node (a VRF
               ///< tiebreaker, as slot-based proof of stake uses)
};

/// Which chain a node follows.
enum class ForkChoice {
  longest,  ///< the chain with the most weight from genesis (most work, total difficulty)
  ghost,    ///< from genesis, at each fork the child whose subtree the node knows holds the most weight
};

/// Names of the fork-choice rules as written in scenarios (each paired with its value in one table).
const std::vector<std::string>& fork_choice_names();
/// The rule with that name (one of fork_choice_names()).
ForkChoice fork_choice_from_name(const std::string& name);

/// The GHOST head of the whole tree: from genesis, the heaviest subtree at each fork, the earliest
/// produced among equals (needs tree.track_subtrees()).
BlockId ghost_head(const BlockTree& tree);

/// A tie-break rule with its parameter.
struct TieRule {
  TieBreak kind = TieBreak::first_seen;  ///< the rule
  double gamma = 0;                      ///< for TieBreak::gamma
  std::uint64_t seed = 0;                ///< for TieBreak::vrf: blocks' values derive from it
};

/// A block's tiebreak value under TieBreak::vrf (a stand-in for its leader's VRF output).
std::uint64_t vrf_value(const TieRule& tie, BlockId block);

/// Names of the tie-break rules as written in scenarios (each paired with its value in one table).
const std::vector<std::string>& tie_break_names();
/// The rule with that name (one of tie_break_names()).
TieBreak tie_break_from_name(const std::string& name);

/// Result of adding a block to a view.
struct ViewUpdate {
  bool head_changed = false;      ///< the node now follows a different head
  BlockId old_head = kNoBlock;    ///< head before
  std::uint32_t reorg_depth = 0;  ///< blocks of the old chain abandoned (0 if the new head extends the old)
};

/// Blocks known to one node and its chosen head.
class ChainView {
 public:
  /// A view that knows only genesis, following `rule` (ghost needs tree.track_subtrees()).
  explicit ChainView(const BlockTree& tree, ForkChoice rule = ForkChoice::longest);
  /// True if the node has the block.
  bool knows(BlockId block) const { return block < known_.size() && known_[block]; }
  /// The head of the chain the node follows.
  BlockId head() const { return head_; }
  /// Adds a block whose parent the node has, and applies fork choice.
  ViewUpdate add(BlockId block, const TieRule& tie, Rng& rng);
  /// Follows `block` (known) regardless of weight, as an attacker adopting a chain does.
  ViewUpdate adopt(BlockId block);
  /// Marks a block as known without changing the head (an attacker's private blocks).
  void learn(BlockId block);
  /// Weight of the blocks this node knows in the subtree of `block` (GHOST's measure).
  double known_subtree_weight(BlockId block);

 private:
  ViewUpdate switch_to(BlockId block);
  bool take_on_tie(BlockId block, const TieRule& tie, Rng& rng) const;
  ViewUpdate add_ghost(BlockId block, const TieRule& tie, Rng& rng);
  BlockId ghost_descend(BlockId from);
  const BlockTree& tree_;
  ForkChoice rule_;
  std::vector<bool> known_;
  BlockId head_ = 0;
  // GHOST: blocks produced but unknown here, below scanned_ (sorted); the tree's subtree weights
  // minus these are what this node knows.
  std::vector<BlockId> unknown_;
  BlockId scanned_ = 1;
  std::vector<std::uint8_t> in_subtree_;  // scratch of known_subtree_weight
};

}  // namespace dltsim
