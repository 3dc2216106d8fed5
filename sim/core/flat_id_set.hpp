#pragma once
// A set of non-zero 64-bit ids in one flat array (open addressing, linear probing), for the hot
// paths that insert and erase millions of ids (pending timers): no allocation per element, and a
// probe touches adjacent memory. Never iterated, so its layout cannot leak into simulation order.

#include <cstdint>
#include <limits>
#include <vector>

namespace dltsim {

/// A set of ids in [1, 2^64 - 2].
class FlatIdSet {
 public:
  /// Adds id (no-op if present).
  void insert(std::uint64_t id) {
    if ((used_ + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 64 : (size_ + 1) * 4);
    std::size_t i = home(id);
    std::size_t tomb = kNone;
    for (;; i = (i + 1) & mask_) {
      const std::uint64_t s = slots_[i];
      if (s == id) return;
      if (s == kEmpty) break;
      if (s == kTomb && tomb == kNone) tomb = i;
    }
    if (tomb != kNone) {
      slots_[tomb] = id;
    } else {
      slots_[i] = id;
      ++used_;
    }
    ++size_;
  }
  /// Removes id; returns 1 if it was present, else 0.
  std::size_t erase(std::uint64_t id) {
    if (size_ == 0) return 0;
    for (std::size_t i = home(id);; i = (i + 1) & mask_) {
      const std::uint64_t s = slots_[i];
      if (s == kEmpty) return 0;
      if (s == id) {
        slots_[i] = kTomb;
        --size_;
        return 1;
      }
    }
  }
  /// Ids in the set.
  std::size_t size() const { return size_; }

 private:
  static constexpr std::uint64_t kEmpty = 0;
  static constexpr std::uint64_t kTomb = std::numeric_limits<std::uint64_t>::max();
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  std::size_t home(std::uint64_t id) const {
    // Fibonacci hashing: sequential ids spread over the table.
    return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ULL) >> shift_) & mask_;
  }
  void rehash(std::size_t want) {
    std::size_t cap = 64;
    while (cap < want) cap *= 2;
    std::vector<std::uint64_t> old;
    old.swap(slots_);
    slots_.assign(cap, kEmpty);
    mask_ = cap - 1;
    shift_ = 64;
    for (std::size_t c = cap; c > 1; c >>= 1) --shift_;
    used_ = size_ = 0;
    for (const std::uint64_t s : old) {
      if (s != kEmpty && s != kTomb) insert(s);
    }
  }
  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;  // ids
  std::size_t used_ = 0;  // ids and tombstones
};

}  // namespace dltsim
