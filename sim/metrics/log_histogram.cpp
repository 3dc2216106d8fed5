#include "sim/metrics/log_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace dltsim {

namespace {
constexpr double kLowest = 1e-6;
constexpr double kHighest = 1e6;
const double kLogRatio = std::log1p(1e-3);
const std::size_t kBins = static_cast<std::size_t>(std::ceil(std::log(kHighest / kLowest) / kLogRatio)) + 1;
}  // namespace

LogHistogram::LogHistogram() : bins_(kBins, 0) {}

void LogHistogram::add(double v) {
  if (!(v > 0)) v = 0;
  if (count_ == 0) {
    min_ = max_ = v;
  } else {
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }
  ++count_;
  sum_ += v;
  if (v == 0) {
    ++zeros_;
    return;
  }
  const double pos = std::log(std::max(v, kLowest) / kLowest) / kLogRatio;
  bins_[std::min(kBins - 1, static_cast<std::size_t>(pos))]++;
}

double LogHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  if (q >= 1) return max_;
  if (q <= 0) return min_;
  // Rank of the quantile (nearest-rank definition), then find its bin.
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  if (rank <= zeros_) return 0;
  std::uint64_t seen = zeros_;
  for (std::size_t i = 0; i < bins_.size(); ++i) {
    seen += bins_[i];
    if (seen >= rank) {
      // Geometric middle of the bin, clamped to the observed range.
      const double mid = kLowest * std::exp((static_cast<double>(i) + 0.5) * kLogRatio);
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

}  // namespace dltsim
