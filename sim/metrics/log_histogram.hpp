#pragma once
// Quantiles of a large stream of non-negative values in constant memory: log-spaced bins with
// 0.1 % width between 1 us and 1e6 s (relative error of a quantile at most 0.05 %), plus exact
// zero count, minimum, maximum and mean.

#include <cstdint>
#include <vector>

namespace dltsim {

/// Histogram of durations in seconds.
class LogHistogram {
 public:
  LogHistogram();
  /// Adds one value (negative values count as zero).
  void add(double value_s);
  /// Number of values.
  std::uint64_t count() const { return count_; }
  /// q-quantile, q in [0, 1]; 0 when empty. q = 1 returns the exact maximum.
  double quantile(double q) const;
  /// Exact mean.
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }
  /// Exact maximum.
  double max() const { return max_; }

 private:
  std::vector<std::uint64_t> bins_;
  std::uint64_t zeros_ = 0;
  std::uint64_t count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
};

}  // namespace dltsim
