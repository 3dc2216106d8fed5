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

Estimate batch_ratio(const std::vector<double>& num, const std::vector<double>& den, int batches) {
  const std::size_t n = std::min(num.size(), den.size());
  const double top = std::accumulate(num.begin(), num.begin() + static_cast<std::ptrdiff_t>(n), 0.0);
  const double bottom = std::accumulate(den.begin(), den.begin() + static_cast<std::ptrdiff_t>(n), 0.0);
  if (n == 0 || bottom == 0) return {std::nan(""), std::nan("")};
  const double ratio = top / bottom;
  const std::size_t b = std::min<std::size_t>(static_cast<std::size_t>(std::max(batches, 2)), n / 10);
  if (b < 2) return {ratio, std::nan("")};
  const std::size_t size = n / b;
  double ss = 0, den_mean = 0;
  for (std::size_t i = 0; i < b; ++i) {
    double nb = 0, db = 0;
    for (std::size_t j = i * size; j < (i + 1) * size; ++j) {
      nb += num[j];
      db += den[j];
    }
    ss += (nb - ratio * db) * (nb - ratio * db);
    den_mean += db / static_cast<double>(b);
  }
  return {ratio, std::sqrt(ss / static_cast<double>(b - 1) / static_cast<double>(b)) / den_mean};
}

ProportionEstimate proportion(std::uint64_t successes, std::uint64_t trials) {
  const double nan = std::nan("");
  if (trials == 0) return {nan, nan, nan, nan};
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  constexpr double z = 1.959963984540054;  // two-sided 95 %
  const double z2 = z * z;
  const double center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  const bool degenerate = successes == 0 || successes == trials;
  return {p, degenerate ? nan : std::sqrt(p * (1 - p) / n), std::max(0.0, center - half),
          std::min(1.0, center + half)};
}

Estimate sample_mean(const std::vector<double>& samples) {
  const std::size_t n = samples.size();
  if (n == 0) return {std::nan(""), std::nan("")};
  const double mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(n);
  if (n < 2) return {mean, std::nan("")};
  double ss = 0;
  for (double x : samples) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(n - 1) / static_cast<double>(n))};
}

}  // namespace dltsim
