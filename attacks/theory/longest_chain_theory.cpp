#include "attacks/theory/longest_chain_theory.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

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

void check(double q, int k) {
  if (!(q > 0 && q < 1)) throw std::invalid_argument("attacker share q must be in (0, 1)");
  if (k < 1) throw std::invalid_argument("confirmations k must be at least 1");
}

}  // namespace

double double_spend_rosenfeld(double q, int k) {
  check(q, k);
  const double p = 1 - q;
  if (q >= p) return 1.0;
  // Each term in log space: C(m + k - 1, m) overflows long before p^k q^m underflows.
  const double lp = std::log(p), lq = std::log(q);
  double sum = 0;
  for (int m = 0; m <= k; ++m) {
    const double lc = log_choose(m + k - 1, m);
    sum += std::exp(lc + k * lp + m * lq) - std::exp(lc + k * lq + m * lp);
  }
  return 1 - sum;
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
  double total = 0, mass = 0;
  for (int m = 0; m + head_start <= k; ++m) {
    const double w = attacker_blocks_pmf(q, k, m);
    total += w * catch_up(k - m - head_start);
    mass += w;
  }
  return total + (1 - mass);
}

double double_spend_nakamoto(double q, int k) {
  check(q, k);
  const double p = 1 - q;
  if (q >= p) return 1.0;
  const double lambda = k * (q / p);
  double sum = 1.0;
  for (int i = 0; i <= k; ++i) {
    const double poisson = std::exp(-lambda + i * std::log(lambda) - std::lgamma(i + 1.0));
    sum -= poisson * (1 - std::pow(q / p, k - i));
  }
  return sum;
}

double majority_expected_blocks(double q, int d) {
  if (!(q > 0.5 && q < 1)) throw std::invalid_argument("a majority pool needs q in (1/2, 1)");
  return (d + 1) / (2 * q - 1);
}

double majority_expected_depth(double q, int d) {
  return d + (1 - q) * majority_expected_blocks(q, d);
}

}  // namespace dltsim::theory
