#include "sim/core/rng.hpp"

#include <algorithm>

namespace dltsim {
namespace {
constexpr std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}
constexpr std::uint64_t kGolden = 0x9e3779b97f4a7c15ULL;
}  // namespace

std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

Rng::Rng(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& w : s_) {
    x += kGolden;
    w = mix64(x);
  }
}

Rng::result_type Rng::operator()() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

SeedTree SeedTree::child(std::string_view label) const {
  // FNV-1a of the label, then mixed with the parent: stable across platforms and compilers.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : label) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return SeedTree(mix64(seed_ ^ mix64(h + kGolden)));
}

SeedTree SeedTree::child(std::uint64_t index) const {
  return SeedTree(mix64(seed_ + kGolden * (index + 1) + 0x5851f42d4c957f2dULL));
}

double pair_uniform(std::uint64_t seed, std::uint32_t a, std::uint32_t b) {
  const std::uint64_t key = (std::uint64_t{std::min(a, b)} << 32) | std::max(a, b);
  return static_cast<double>(mix64(seed ^ key) >> 11) * 0x1.0p-53;
}

}  // namespace dltsim
