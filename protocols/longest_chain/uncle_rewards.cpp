#include "protocols/longest_chain/uncle_rewards.hpp"

#include <algorithm>

namespace dltsim::longest_chain {

void for_each_reward(const BlockTree& tree, BlockId head, const RewardRules& rules,
                     const std::function<void(const Reward&)>& fn) {
  std::vector<BlockId> chain;
  for (BlockId b = head; b != 0; b = tree.get(b).parent) chain.push_back(b);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const BlockId b = *it;
    const Block& blk = tree.get(b);
    const std::uint32_t uncles = tree.uncle_count(b);
    fn(Reward{blk.producer, 1.0, b, b, RewardKind::block, 0});
    for (std::uint32_t i = 0; i < uncles; ++i) {
      const BlockId u = tree.uncle(b, i);
      const std::uint32_t d = blk.height - tree.get(u).height;
      fn(Reward{blk.producer, rules.nephew, b, u, RewardKind::nephew, d});
      const double share = std::max(0.0, (rules.uncle_divisor - d) / rules.uncle_divisor);
      fn(Reward{tree.get(u).producer, share, b, u, RewardKind::uncle, d});
    }
  }
}

}  // namespace dltsim::longest_chain
