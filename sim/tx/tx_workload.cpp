#include "sim/tx/tx_workload.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include "sim/core/sampling.hpp"

namespace dltsim {

TxWorkload::TxWorkload(const TxSpec& spec, std::uint32_t nodes, const SeedTree& seeds)
    : spec_(spec),
      time_rng_(seeds.child("times").rng()),
      origin_rng_(seeds.child("origins").rng()),
      size_rng_(seeds.child("sizes").rng()),
      fee_rng_(seeds.child("fees").rng()),
      proxy_rng_(seeds.child("proxies").rng()),
      weights_(nodes, 1.0) {
  switch (spec.origin) {
    case OriginRule::equal:
      break;
    case OriginRule::shares: {
      const double listed = std::accumulate(spec.origin_shares.begin(), spec.origin_shares.end(), 0.0);
      const std::size_t rest = nodes - spec.origin_shares.size();
      for (std::size_t i = 0; i < nodes; ++i) {
        weights_[i] = i < spec.origin_shares.size()
                          ? spec.origin_shares[i]
                          : (rest > 0 ? (1 - listed) / static_cast<double>(rest) : 0);
      }
      break;
    }
    case OriginRule::heavy_tailed: {
      // Ranks in a seeded random order, so that the busiest wallets are not always nodes 0, 1, ...
      std::vector<NodeId> order(nodes);
      std::iota(order.begin(), order.end(), 0);
      Rng rank_rng = seeds.child("ranks").rng();
      shuffle_front(order, order.size(), rank_rng);
      for (std::size_t k = 0; k < nodes; ++k)
        weights_[order[k]] = std::pow(static_cast<double>(k + 1), -spec.origin_exponent);
      break;
    }
    case OriginRule::cycle: {
      cycle_.resize(nodes);
      std::iota(cycle_.begin(), cycle_.end(), 0);
      Rng order_rng = seeds.child("ranks").rng();
      shuffle_front(cycle_, cycle_.size(), order_rng);
      break;
    }
  }
  const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
  for (double& w : weights_) w /= total;
  origin_ = std::make_unique<boost::random::discrete_distribution<std::uint32_t, double>>(weights_.begin(),
                                                                                          weights_.end());
}

double TxWorkload::next_gap_s() {
  if (spec_.tx_per_s <= 0) return std::numeric_limits<double>::infinity();
  return boost::random::exponential_distribution<double>(spec_.tx_per_s)(time_rng_);
}

NodeId TxWorkload::next_origin() {
  if (!cycle_.empty()) return cycle_[turn_++ % cycle_.size()];
  return (*origin_)(origin_rng_);
}

NodeId TxWorkload::next_proxy(NodeId origin, double& delay_s) {
  const auto n = static_cast<std::uint32_t>(weights_.size());
  if (spec_.proxy_share <= 0 || n < 2) return kNoNode;
  if (boost::random::uniform_real_distribution<double>(0, 1)(proxy_rng_) >= spec_.proxy_share) return kNoNode;
  // Any other node, uniformly: a wallet on Tor reaches a node it does not choose by network position.
  auto proxy = boost::random::uniform_int_distribution<NodeId>(0, n - 2)(proxy_rng_);
  if (proxy >= origin) ++proxy;
  delay_s = boost::random::exponential_distribution<double>(1 / spec_.proxy_delay_s)(proxy_rng_);
  return proxy;
}

double TxWorkload::draw(QuantityLaw law, double median, double sigma, Rng& rng) {
  if (law == QuantityLaw::fixed) return median;
  return median * std::exp(boost::random::normal_distribution<double>(0, sigma)(rng));
}

std::uint32_t TxWorkload::next_size_bytes() {
  const double s = draw(spec_.size_law, spec_.size_bytes, spec_.size_sigma, size_rng_);
  return static_cast<std::uint32_t>(std::clamp(std::round(s), 60.0, spec_.max_size_bytes));
}

double TxWorkload::next_fee_rate_sat_vb() {
  return draw(spec_.fee_law, spec_.fee_rate_sat_vb, spec_.fee_sigma, fee_rng_);
}

}  // namespace dltsim
