#include "sim/metrics/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace dltsim {

Estimate batch_mean(const std::vector<double>& series, int batches) {
  const std::size_t n = series.size();
  if (n == 0) return {};
  const double mean = std::accumulate(series.begin(), series.end(), 0.0) / static_cast<double>(n);
  // At least 10 values per batch, at least 2 batches, else no error estimate.
  const std::size_t b = std::min<std::size_t>(static_cast<std::size_t>(std::max(batches, 2)), n / 10);
  if (b < 2) return {mean, std::nan("")};
  const std::size_t size = n / b;
  double ss = 0;
  for (std::size_t i = 0; i < b; ++i) {
    const double m = std::accumulate(series.begin() + static_cast<std::ptrdiff_t>(i * size),
                                     series.begin() + static_cast<std::ptrdiff_t>((i + 1) * size), 0.0) /
                     static_cast<double>(size);
    ss += (m - mean) * (m - mean);
  }
  return {mean, std::sqrt(ss / static_cast<double>(b - 1) / static_cast<double>(b))};
}

Estimate proportion(std::uint64_t successes, std::uint64_t trials) {
  if (trials == 0) return {0, std::nan("")};
  const double p = static_cast<double>(successes) / static_cast<double>(trials);
  return {p, std::sqrt(p * (1 - p) / static_cast<double>(trials))};
}

Estimate sample_mean(const std::vector<double>& samples) {
  const std::size_t n = samples.size();
  if (n == 0) return {0, std::nan("")};
  const double mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(n);
  if (n < 2) return {mean, std::nan("")};
  double ss = 0;
  for (double x : samples) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(n - 1) / static_cast<double>(n))};
}

}  // namespace dltsim
