#pragma once
// Block rewards with uncles, as in Ethereum's yellow paper (section 11.3): every main-chain block
// earns the block reward R plus R x nephew_reward per uncle it references; each referenced uncle
// earns R x (divisor - d) / divisor when it sits d heights below the referencing block. Rewards are
// in units of R.

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/chain/block_tree.hpp"

namespace dltsim::longest_chain {

/// What a reward is paid for.
enum class RewardKind : std::uint8_t {
  block,   ///< a main-chain block
  nephew,  ///< an uncle referenced by a main-chain block, paid to that block's producer
  uncle,   ///< a stale block referenced as an uncle, paid to its producer
};

/// The reward rules.
struct RewardRules {
  double uncle_divisor = 8;  ///< an uncle d heights below earns (divisor - d) / divisor
  double nephew = 0;         ///< share of the block reward per uncle referenced
};

/// One reward: who, how much (in block rewards), for which block of the main chain, why.
struct Reward {
  NodeId node;             ///< paid to
  double amount;           ///< in units of the block reward
  BlockId main;            ///< the main-chain block that pays it
  BlockId block;           ///< the block rewarded (the uncle itself for RewardKind::uncle)
  RewardKind kind;         ///< why
  std::uint32_t distance;  ///< uncle: heights between it and the referencing block (else 0)
};

/// Calls fn for every reward paid by the main chain ending at `head`, from genesis up.
void for_each_reward(const BlockTree& tree, BlockId head, const RewardRules& rules,
                     const std::function<void(const Reward&)>& fn);

}  // namespace dltsim::longest_chain
