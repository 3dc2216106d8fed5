#include "sim/tx/bulk_service_queue.hpp"

#include <cmath>
#include <stdexcept>

namespace dltsim {

BulkQueue solve_bulk_queue(double lambda_per_s, double mu_per_s, std::uint32_t b) {
  if (!(lambda_per_s > 0) || !(mu_per_s > 0) || b == 0)
    throw std::invalid_argument("the rates must be positive and the capacity at least 1");
  if (lambda_per_s >= b * mu_per_s) throw std::invalid_argument("the load lambda / (b mu) must be below 1");
  const auto f = [&](double r) {
    return mu_per_s * std::pow(r, static_cast<double>(b) + 1) - (lambda_per_s + mu_per_s) * r + lambda_per_s;
  };
  // f(0) = lambda > 0 and f < 0 just below the trivial root 1 (f'(1) = b mu - lambda > 0): bisect.
  double lo = 0, hi = 1;
  for (int i = 0; i < 200 && hi - lo > 1e-15; ++i) {
    const double mid = (lo + hi) / 2;
    if (f(mid) > 0) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  BulkQueue q;
  q.r = (lo + hi) / 2;
  q.mean_waiting = q.r / (1 - q.r);
  q.mean_delay_s = q.mean_waiting / lambda_per_s;
  q.empty_block = 1 - q.r;
  q.full_block = std::pow(q.r, b);
  return q;
}

}  // namespace dltsim
