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

/// A proportion successes / trials with the binomial standard error sqrt(p (1 - p) / n).
Estimate proportion(std::uint64_t successes, std::uint64_t trials);

/// Mean of independent samples with standard error s / sqrt(n).
Estimate sample_mean(const std::vector<double>& samples);

}  // namespace dltsim
