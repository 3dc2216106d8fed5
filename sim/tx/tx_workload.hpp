#pragma once
// The wallets' workload: a Poisson process of transactions over the network, each created at a node
// drawn by the origin rule, with a size and fee rate drawn from their laws. Its random streams are
// its own (children of the seed tree), so the same seed gives the same transactions whatever the
// relay or the attacks do.

#include <memory>
#include <vector>

#include <boost/random/discrete_distribution.hpp>

#include "sim/core/rng.hpp"
#include "sim/tx/tx_spec.hpp"

namespace dltsim {

/// Draws the workload of a TxSpec.
class TxWorkload {
 public:
  /// The workload over `nodes` nodes.
  TxWorkload(const TxSpec& spec, std::uint32_t nodes, const SeedTree& seeds);
  /// Time to the next transaction (exponential, mean 1 / tx_per_s); infinity when the rate is 0.
  double next_gap_s();
  /// The node whose wallet creates the next transaction.
  NodeId next_origin();
  /// Size of the next transaction in bytes.
  std::uint32_t next_size_bytes();
  /// Fee rate of the next transaction, sat/vB.
  double next_fee_rate_sat_vb();
  /// The node the next transaction of `origin`'s wallet is sent through (proxy_share), or kNoNode
  /// when the wallet sends it itself; `delay_s` gets the delay to reach it.
  NodeId next_proxy(NodeId origin, double& delay_s);
  /// Share of the workload created at each node (sums to 1).
  const std::vector<double>& origin_shares() const { return weights_; }

 private:
  double draw(QuantityLaw law, double median, double sigma, Rng& rng);
  const TxSpec& spec_;
  Rng time_rng_, origin_rng_, size_rng_, fee_rng_, proxy_rng_;
  std::vector<NodeId> cycle_;  // cycle: the order nodes take turns in
  std::size_t turn_ = 0;
  std::vector<double> weights_;
  std::unique_ptr<boost::random::discrete_distribution<std::uint32_t, double>> origin_;
};

}  // namespace dltsim
