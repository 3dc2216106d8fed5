#include "attacks/theory/longest_chain_theory.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>

namespace dltsim::theory {

double selfish_mining_revenue(double a, double g) {
  const double num = a * (1 - a) * (1 - a) * (4 * a + g * (1 - 2 * a)) - a * a * a;
  const double den = 1 - a * (1 + (2 - a) * a);
  return num / den;
}

double selfish_mining_threshold(double gamma) {
  return (1 - gamma) / (3 - 2 * gamma);
}

double selfish_mining_upper_bound(double alpha) {
  return alpha >= 0.5 ? 1.0 : alpha / (1 - alpha);
}

namespace {

// log C(n, k) for the negative binomial terms (stable for large k).
double log_choose(int n, int k) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
}

// P(attacker has mined m blocks when the honest network finds its k-th): negative binomial.
double attacker_blocks_pmf(double q, int k, int m) {
  const double p = 1 - q;
  return std::exp(log_choose(m + k - 1, m) + k * std::log(p) + m * std::log(q));
}

// P(the attacker has mined more than m blocks when the honest network finds its k-th): the
// negative binomial's upper tail, I_q(m + 1, k), accurate in relative terms however small (1 - CDF
// would cancel to nothing, or below zero, long before).
double attacker_blocks_tail(double q, int k, int m) {
  if (m < 0) return 1.0;
  return boost::math::ibeta(m + 1.0, static_cast<double>(k), q);
}

// log(sum of exp(terms)), without overflow or underflow of the largest term.
double log_sum_exp(const std::vector<double>& terms) {
  double top = -std::numeric_limits<double>::infinity();
  for (double t : terms) top = std::max(top, t);
  if (std::isinf(top)) return top;
  double sum = 0;
  for (double t : terms) sum += std::exp(t - top);
  return top + std::log(sum);
}

void check(double q, int k) {
  if (!(q > 0 && q < 1)) throw std::invalid_argument("attacker share q must be in (0, 1)");
  if (k < 1) throw std::invalid_argument("confirmations k must be at least 1");
}

}  // namespace

double double_spend_rosenfeld(double q, int k) {
  check(q, k);
  const double p = 1 - q;
  if (q >= p) return 1.0;
  // Rosenfeld's 1 - sum_{m<=k} C(m+k-1, m) (p^k q^m - q^k p^m), rewritten as a sum of positive
  // terms: with m attacker blocks when the k-th honest one arrives (negative binomial), the
  // attacker catches up with probability (q/p)^(k-m) if m <= k, surely otherwise. So
  //   P = sum_{m<=k} C(m+k-1, m) q^k p^m  +  P(M > k),
  // the first sum in log space, the tail as a regularized incomplete beta function: accurate in
  // relative terms down to the smallest double (the difference form returned -4.3e-13 at q = 0.33,
  // k = 1000, where the value is about 2e-55).
  const double lp = std::log(p), lq = std::log(q);
  std::vector<double> terms;
  terms.reserve(static_cast<std::size_t>(k) + 1);
  for (int m = 0; m <= k; ++m) terms.push_back(log_choose(m + k - 1, m) + k * lq + m * lp);
  return std::exp(log_sum_exp(terms)) + attacker_blocks_tail(q, k, k);
}

double double_spend_rosenfeld_give_up(double q, int k, int d, bool premined) {
  check(q, k);
  if (d <= k) throw std::invalid_argument("the give-up deficit must exceed the confirmations");
  const double p = 1 - q;
  const double r = p / q;
  // From deficit z (honest ahead by z), reach +1 (attacker strictly longer) before -d.
  const auto catch_up = [&](int z) {
    if (z < 0) return 1.0;
    if (std::fabs(r - 1) < 1e-12) return static_cast<double>(d - z) / (d + 1);
    if (r < 1) return (1 - std::pow(r, d - z)) / (1 - std::pow(r, d + 1));
    // Same expression in powers of q/p < 1, which do not overflow for deep give-up points.
    const double s = q / p;
    return (std::pow(s, z + 1) - std::pow(s, d + 1)) / (1 - std::pow(s, d + 1));
  };
  // m blocks mined while the honest branch grows to k: the deficit at acceptance is k - m (- 1 if
  // premined); from deficit < 0 the attacker is already longer and publishes at once.
  const int head_start = premined ? 1 : 0;
  double total = 0;
  for (int m = 0; m + head_start <= k; ++m)
    total += attacker_blocks_pmf(q, k, m) * catch_up(k - m - head_start);
  // Beyond that the attacker is ahead at acceptance: the tail, not 1 minus the sum (cancellation).
  return total + attacker_blocks_tail(q, k, k - head_start);
}

double double_spend_nakamoto(double q, int k) {
  check(q, k);
  const double p = 1 - q;
  if (q >= p) return 1.0;
  // 1 - sum_{i<=k} Poisson(i) (1 - (q/p)^(k-i)) as positive terms: sum_{i<=k} Poisson(i) (q/p)^(k-i)
  // plus the Poisson tail P(X > k), a regularized incomplete gamma function.
  const double lambda = k * (q / p);
  const double lr = std::log(q / p);
  std::vector<double> terms;
  terms.reserve(static_cast<std::size_t>(k) + 1);
  for (int i = 0; i <= k; ++i)
    terms.push_back(-lambda + i * std::log(lambda) - std::lgamma(i + 1.0) + (k - i) * lr);
  return std::exp(log_sum_exp(terms)) + boost::math::gamma_p(k + 1.0, lambda);
}

double majority_expected_blocks(double q, int d) {
  if (!(q > 0.5 && q < 1)) throw std::invalid_argument("a majority pool needs q in (1/2, 1)");
  return (d + 1) / (2 * q - 1);
}

double majority_expected_depth(double q, int d) {
  return d + (1 - q) * majority_expected_blocks(q, d);
}

double delay_stale_rate(double x) {
  return x / (1 + x);
}

double delay_growth(double x) {
  return 1 / (1 + x);
}

double delay_uncle_rate(double x) {
  return x;
}

double delay_uncle_distance(double x) {
  // A sibling found U after its height began (U uniform on (0, D)) is known to the next height's miner
  // iff that block comes after U + D: probability E[exp(-lambda U)] = (1 - e^-x) / x.
  return x > 0 ? 2 - (-std::expm1(-x)) / x : 1;
}

double praos_leader_probability(double f, double alpha) {
  return -std::expm1(alpha * std::log1p(-f));
}

double praos_growth_per_slot(double f, double share, int delta_slots) {
  const double p = praos_leader_probability(f, share);
  return p / (1 + (delta_slots - 1) * p);
}

double praos_private_threshold(double f, int delta_slots) {
  // The private chain's rate rises with beta, the honest growth falls: one crossing, by bisection.
  double lo = 0, hi = 1;
  for (int i = 0; i < 200; ++i) {
    const double mid = (lo + hi) / 2;
    if (praos_leader_probability(f, mid) > praos_growth_per_slot(f, 1 - mid, delta_slots)) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return (lo + hi) / 2;
}

}  // namespace dltsim::theory
