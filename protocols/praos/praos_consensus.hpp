#pragma once
// Run-wide state of Praos-style proof of stake: the longest-chain relay and chain rules of Nakamoto
// with blocks produced by the slot lottery, and the slot results: leaders per slot against phi_f,
// slot occupancy (slots holding a main-chain block), forks per slot, and settlement failures at
// depth k (the shared chain metrics).

#include "protocols/longest_chain/longest_chain_consensus.hpp"
#include "protocols/praos/praos_config.hpp"
#include "protocols/praos/slot_lottery.hpp"

namespace dltsim::praos {

/// Praos consensus.
class PraosConsensus final : public longest_chain::LongestChainConsensus {
 public:
  /// Reads parameters, sets up the lottery.
  explicit PraosConsensus(const ProtocolSetup& setup);
  void finish(Summary& summary, double end_time_s) override;

 private:
  PraosConsensus(const ProtocolSetup& setup, const SlotParams& slots);
  SlotLottery& lottery_;
};

/// Names of the tables Praos can record.
std::vector<std::string> praos_table_names();

}  // namespace dltsim::praos
