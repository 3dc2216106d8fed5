#include "attacks/transactions/tx_attack_common.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace dltsim::attacks {

longest_chain::LongestChainConsensus& require_transactions(Consensus& consensus, const std::string& attack) {
  auto* n = dynamic_cast<longest_chain::LongestChainConsensus*>(&consensus);
  if (n == nullptr || n->transactions() == nullptr) {
    throw Error(
        fmt::format("attack '{}' needs a longest-chain protocol with a transactions section", attack));
  }
  return *n;
}

std::size_t MainChainView::blocks_after(double from_s, std::uint32_t height) const {
  // Heights are 1-based positions in block_times_s; times increase along the main chain only
  // loosely (a block may be older than its parent's arrival), so count by position.
  std::size_t n = 0;
  for (std::uint32_t h = height; h >= 1 && block_times_s[h - 1] > from_s; --h) ++n;
  return n;
}

MainChainView main_chain_view(longest_chain::LongestChainConsensus& consensus) {
  MainChainView v;
  const std::vector<BlockId> chain = consensus.main_chain();
  for (const BlockId b : chain) v.block_times_s.push_back(consensus.tree().get(b).time_s);
  v.inclusion = consensus.transactions()->inclusion(consensus.tree(), chain);
  return v;
}

}  // namespace dltsim::attacks
