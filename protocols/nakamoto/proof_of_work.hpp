#pragma once
// Proof of work: a node holding a share s of the hashrate finds blocks as a Poisson process of rate
// s / block interval; by memorylessness a node keeps its timer when its head changes.

#include "protocols/longest_chain/block_production.hpp"

namespace dltsim::nakamoto {

/// Poisson mining.
class ProofOfWork final : public longest_chain::BlockProduction {
 public:
  /// Mining with the network's mean block interval.
  explicit ProofOfWork(double block_interval_s) : interval_s_(block_interval_s) {}
  double next_wait_s(Rng& rng, double power_share, double now_s) const override;
  double production_rate_per_s(double share) const override { return share / interval_s_; }
  /// lambda / (1 + lambda D): a new height appears at the first block found D after the previous one.
  double chain_growth_per_s(double share, double delay_s) const override;

 private:
  double interval_s_;
};

}  // namespace dltsim::nakamoto
