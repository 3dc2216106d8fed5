#pragma once
// What the attacks on transactions share: the run's longest-chain state with its transaction layer,
// and where transactions ended up on the final main chain, counted in blocks.

#include <string>
#include <vector>

#include "protocols/longest_chain/longest_chain_consensus.hpp"
#include "sim/tx/transaction_layer.hpp"

namespace dltsim::attacks {

/// The consensus as a longest-chain protocol with transactions; throws Error naming the attack otherwise.
longest_chain::LongestChainConsensus& require_transactions(Consensus& consensus, const std::string& attack);

/// The main chain at the end: each block's time, in chain order, and each transaction's place on it.
struct MainChainView {
  std::vector<double> block_times_s;   ///< production time of each main-chain block, from height 1
  std::vector<TxInclusion> inclusion;  ///< per transaction: height and time of its block (height 0: none)
  /// Main-chain blocks produced after `from_s` up to and including the one at `height`.
  std::size_t blocks_after(double from_s, std::uint32_t height) const;
};

/// The main chain of the run as it ends.
MainChainView main_chain_view(longest_chain::LongestChainConsensus& consensus);

}  // namespace dltsim::attacks
