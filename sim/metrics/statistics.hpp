#pragma once
// Estimates with standard errors, for run summaries.

#include <cstdint>
#include <vector>

namespace dltsim {

/// An estimate and its standard error.
struct Estimate {
  double value = 0;           ///< point estimate
  double standard_error = 0;  ///< its standard error
};

/// Mean of a correlated series (e.g. who mined each main-chain block) with the batch-means standard
/// error: the series is cut into `batches` contiguous batches whose means are treated as independent.
Estimate batch_mean(const std::vector<double>& series, int batches = 50);

/// Ratio of sums sum(num) / sum(den) of a correlated series of pairs (e.g. a pool's reward and all
/// rewards per main-chain block) with the batch-means standard error of a ratio estimator: the
/// series is cut into `batches` contiguous batches and the spread of num_b - R den_b gives the error.
Estimate batch_ratio(const std::vector<double>& num, const std::vector<double>& den, int batches = 50);

/// A proportion with an interval that means something at few or zero events.
struct ProportionEstimate {
  double value = 0;           ///< successes / trials; NaN without trials
  double standard_error = 0;  ///< binomial sqrt(p (1 - p) / n); NaN without trials or at 0 or n successes
  double ci_low = 0;          ///< Wilson score interval, 95 % (NaN without trials)
  double ci_high = 0;         ///< upper end of it
};

/// A proportion successes / trials: the binomial standard error where it means something, and the
/// Wilson score interval (Wilson 1927), which stays honest at 0 or n successes: 0 of 20 gives
/// [0, 0.16], not 0 +- 0.
ProportionEstimate proportion(std::uint64_t successes, std::uint64_t trials);

/// Mean of independent samples with standard error s / sqrt(n) (NaN mean without samples, NaN error
/// with fewer than two).
Estimate sample_mean(const std::vector<double>& samples);

}  // namespace dltsim
