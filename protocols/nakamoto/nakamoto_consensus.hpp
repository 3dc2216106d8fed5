#pragma once
// Nakamoto proof of work: the longest-chain family's base with Poisson mining (proof_of_work.hpp)
// and the parameters of nakamoto_config.hpp.

#include "protocols/longest_chain/longest_chain_consensus.hpp"

namespace dltsim::nakamoto {

/// Nakamoto consensus.
class NakamotoConsensus final : public longest_chain::LongestChainConsensus {
 public:
  /// Reads parameters, sets up mining.
  explicit NakamotoConsensus(const ProtocolSetup& setup);
};

}  // namespace dltsim::nakamoto
