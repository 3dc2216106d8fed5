#include "protocols/nakamoto/proof_of_work.hpp"

#include <boost/random/exponential_distribution.hpp>

namespace dltsim::nakamoto {

double ProofOfWork::next_wait_s(Rng& rng, double power_share, double /*now_s*/) const {
  const double rate = power_share / interval_s_;
  return boost::random::exponential_distribution<double>(rate)(rng);
}

double ProofOfWork::chain_growth_per_s(double share, double delay_s) const {
  const double lambda = production_rate_per_s(share);
  return lambda / (1 + lambda * delay_s);
}

}  // namespace dltsim::nakamoto
