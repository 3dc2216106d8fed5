#pragma once
// Drawing without replacement through Boost's distributions (whose output Boost fixes, unlike
// std::shuffle's, which is implementation-defined).

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include <boost/random/uniform_int_distribution.hpp>

#include "sim/core/rng.hpp"

namespace dltsim {

/// Moves k elements drawn uniformly without replacement to the front of v, in draw order (a partial
/// Fisher-Yates shuffle); all of v if k exceeds its size.
template <class T>
void shuffle_front(std::vector<T>& v, std::size_t k, Rng& rng) {
  k = std::min(k, v.size());
  for (std::size_t i = 0; i < k; ++i) {
    boost::random::uniform_int_distribution<std::size_t> pick(i, v.size() - 1);
    std::swap(v[i], v[pick(rng)]);
  }
}

/// k elements of pool drawn uniformly without replacement, in draw order (all of it if k is larger).
template <class T>
std::vector<T> sample(std::vector<T> pool, std::size_t k, Rng& rng) {
  shuffle_front(pool, k, rng);
  pool.resize(std::min(k, pool.size()));
  return pool;
}

}  // namespace dltsim
