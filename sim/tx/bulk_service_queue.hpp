#pragma once
// The bulk-service queue M/M^[b]/1 (Bailey 1954) as a model of confirmation: transactions arrive
// as a Poisson process of rate lambda, blocks as one of rate mu, and each block takes up to b
// waiting transactions, first come first served. The number waiting is geometric,
// P(N = n) = (1 - r) r^n, where r is the root in (0, 1) of mu r^(b+1) - (lambda + mu) r + lambda = 0;
// the mean waiting count is r / (1 - r) and, by Little's law, the mean wait r / ((1 - r) lambda).

#include <cstdint>

namespace dltsim {

/// The stationary solution of M/M^[b]/1.
struct BulkQueue {
  double r = 0;             ///< root of the characteristic equation in (0, 1)
  double mean_waiting = 0;  ///< mean number of transactions waiting, r / (1 - r)
  double mean_delay_s = 0;  ///< mean time from arrival to the block that takes it
  double empty_block = 0;   ///< probability that a block finds no transaction, 1 - r
  double full_block = 0;    ///< probability that a block is full, r^b
};

/// Solves M/M^[b]/1 for arrival rate lambda_per_s, block rate mu_per_s and capacity b; the load
/// lambda / (b mu) must be below 1 (throws std::invalid_argument otherwise).
BulkQueue solve_bulk_queue(double lambda_per_s, double mu_per_s, std::uint32_t b);

}  // namespace dltsim
