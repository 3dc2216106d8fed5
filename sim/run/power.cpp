#include "sim/run/power.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include <boost/random/normal_distribution.hpp>

namespace dltsim {

std::vector<double> power_shares(const PowerSpec& spec, std::uint32_t n, Rng& rng) {
  std::vector<double> power(n, 0.0);
  switch (spec.distribution) {
    case PowerDistribution::normal: {
      // SimBlock's model: each node's power is drawn from a normal law; negative draws count as zero.
      boost::random::normal_distribution<double> draw(spec.mean, spec.stddev);
      for (auto& p : power) p = std::max(0.0, draw(rng));
      break;
    }
    case PowerDistribution::shares: {
      std::copy(spec.shares.begin(), spec.shares.end(), power.begin());
      const double given = std::accumulate(spec.shares.begin(), spec.shares.end(), 0.0);
      const std::size_t others = n - spec.shares.size();
      if (spec.others_equal && others > 0) {
        std::fill(power.begin() + static_cast<std::ptrdiff_t>(spec.shares.size()), power.end(),
                  std::max(0.0, 1.0 - given) / static_cast<double>(others));
      }
      break;
    }
    case PowerDistribution::equal:
      std::fill(power.begin(), power.end(), 1.0);
      break;
  }
  const double total = std::accumulate(power.begin(), power.end(), 0.0);
  if (!(total > 0)) throw std::invalid_argument("total consensus power is zero");
  for (auto& p : power) p /= total;
  return power;
}

}  // namespace dltsim
