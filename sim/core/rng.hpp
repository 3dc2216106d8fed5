#pragma once
// Random streams. One master seed; every consumer (node, attack, topology builder) draws from
// its own stream derived from it, so adding a consumer never shifts another one's draws.
// Draw through Boost.Random distributions: their output is fixed by Boost, unlike std::'s.

#include <cstdint>
#include <limits>
#include <string_view>

namespace dltsim {

/// xoshiro256** (Blackman and Vigna): 32 bytes of state, fast, passes BigCrush.
/// Satisfies UniformRandomBitGenerator, so it plugs into boost::random distributions.
class Rng {
 public:
  using result_type = std::uint64_t;
  /// Seeds the four state words from a 64-bit seed with splitmix64.
  explicit Rng(std::uint64_t seed = 0);
  /// Smallest value operator() returns.
  static constexpr result_type min() { return 0; }
  /// Largest value operator() returns.
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  /// Next 64 random bits.
  result_type operator()();

 private:
  std::uint64_t s_[4];
};

/// A node of the seed tree: a seed from which independent child seeds are derived by label and index.
class SeedTree {
 public:
  /// The root, from the scenario's master seed.
  explicit SeedTree(std::uint64_t master_seed) : seed_(master_seed) {}
  /// Child for a named purpose ("topology", "nodes", "attack/selfish").
  SeedTree child(std::string_view label) const;
  /// Child for the i-th member of a family (node i).
  SeedTree child(std::uint64_t index) const;
  /// This node's seed.
  std::uint64_t seed() const { return seed_; }
  /// A generator seeded from this node.
  Rng rng() const { return Rng(seed_); }

 private:
  std::uint64_t seed_;
};

/// splitmix64 finaliser: a bijective 64-bit mix with good avalanche.
std::uint64_t mix64(std::uint64_t x);

/// A uniform draw in [0, 1) fixed by the seed and the unordered pair {a, b}: the same from both ends
/// and for the whole run, without state per pair (which connections run v2, which an AS carries).
double pair_uniform(std::uint64_t seed, std::uint32_t a, std::uint32_t b);

}  // namespace dltsim
