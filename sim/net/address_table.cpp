#include "sim/net/address_table.hpp"

#include <algorithm>

#include <boost/random/uniform_int_distribution.hpp>

namespace dltsim {

namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Core: a source group reaches 64 of 1,024 "new" buckets, an address group 8 of 256 "tried" buckets.
constexpr std::uint32_t kNewBucketsPerSourceDivisor = 16;
constexpr std::uint32_t kTriedBucketsPerGroupDivisor = 32;

}  // namespace

AddressTable::AddressTable(const AddressTableShape& shape, std::uint64_t key, std::uint32_t address_count)
    : shape_(shape),
      key_(key),
      new_(std::size_t{shape.new_buckets} * shape.bucket_size, kEmpty),
      tried_(std::size_t{shape.tried_buckets} * shape.bucket_size, kEmpty),
      new_failures_(new_.size(), 0),
      tried_failures_(tried_.size(), 0),
      in_new_(address_count, false) {}

std::uint64_t AddressTable::hash(std::uint64_t a, std::uint64_t b, std::uint64_t c) const {
  return mix(mix(mix(key_ ^ a) ^ b) ^ c);
}

std::uint32_t AddressTable::new_pos(NodeId address, std::uint32_t address_group,
                                    std::uint32_t source_group) const {
  const std::uint32_t per_source = std::max(1u, shape_.new_buckets / kNewBucketsPerSourceDivisor);
  const auto bucket = static_cast<std::uint32_t>(
      hash(1, source_group, hash(2, address_group, source_group) % per_source) % shape_.new_buckets);
  return bucket * shape_.bucket_size +
         static_cast<std::uint32_t>(hash(3, address, bucket) % shape_.bucket_size);
}

std::uint32_t AddressTable::tried_pos(NodeId address, std::uint32_t address_group) const {
  const std::uint32_t per_group = std::max(1u, shape_.tried_buckets / kTriedBucketsPerGroupDivisor);
  const auto bucket = static_cast<std::uint32_t>(hash(4, address_group, hash(5, address, 0) % per_group) %
                                                 shape_.tried_buckets);
  return bucket * shape_.bucket_size +
         static_cast<std::uint32_t>(hash(6, address, bucket) % shape_.bucket_size);
}

bool AddressTable::contains(NodeId address, std::uint32_t address_group) const {
  return in_new_[address] || tried_[tried_pos(address, address_group)] == address;
}

void AddressTable::put_new(std::uint32_t pos, NodeId address) {
  if (new_[pos] == kEmpty) {
    ++new_count_;
  } else {
    in_new_[new_[pos]] = false;
  }
  new_[pos] = address;
  new_failures_[pos] = 0;
  in_new_[address] = true;
}

void AddressTable::clear_new(std::uint32_t pos) {
  in_new_[new_[pos]] = false;
  new_[pos] = kEmpty;
  --new_count_;
}

bool AddressTable::add_new(NodeId address, std::uint32_t address_group, std::uint32_t source_group) {
  if (contains(address, address_group)) return false;
  const std::uint32_t pos = new_pos(address, address_group, source_group);
  if (new_[pos] != kEmpty && new_failures_[pos] < kTerrible) return false;
  put_new(pos, address);
  return true;
}

bool AddressTable::add_tried(NodeId address, std::uint32_t address_group) {
  const std::uint32_t pos = tried_pos(address, address_group);
  if (tried_[pos] != kEmpty) return tried_[pos] == address;
  if (in_new_[address]) return false;  // it has a "new" entry: good() moves it
  tried_[pos] = address;
  tried_failures_[pos] = 0;
  ++tried_count_;
  return true;
}

bool AddressTable::good(const AddressSlot& slot, bool test_before_evict,
                        const std::function<bool(NodeId)>& answers,
                        const std::function<std::uint32_t(NodeId)>& group_of) {
  if (slot.tried) {
    if (tried_[slot.pos] != slot.address) return false;
    tried_failures_[slot.pos] = 0;
    return true;
  }
  if (new_[slot.pos] != slot.address) return false;  // replaced since it was drawn
  const NodeId address = slot.address;
  const std::uint32_t pos = tried_pos(address, group_of(address));
  const NodeId occupant = tried_[pos];
  if (occupant != kEmpty) {
    if (test_before_evict && answers(occupant)) {
      new_failures_[slot.pos] = 0;
      return false;
    }
    tried_[pos] = kEmpty;
    --tried_count_;
  }
  clear_new(slot.pos);
  tried_[pos] = address;
  tried_failures_[pos] = 0;
  ++tried_count_;
  if (occupant != kEmpty) {
    // Core moves an evicted "tried" entry back to "new"; its source here is its own group.
    const std::uint32_t g = group_of(occupant);
    const std::uint32_t back = new_pos(occupant, g, g);
    if (new_[back] == kEmpty || new_failures_[back] >= kTerrible) put_new(back, occupant);
  }
  return true;
}

void AddressTable::failed(const AddressSlot& slot) {
  std::uint8_t& f = slot.tried ? tried_failures_[slot.pos] : new_failures_[slot.pos];
  if (f < 255) ++f;
}

std::optional<AddressSlot> AddressTable::select(Rng& rng, bool new_only) const {
  bool use_tried;
  if (new_only || tried_count_ == 0) {
    if (new_count_ == 0) return std::nullopt;
    use_tried = false;
  } else if (new_count_ == 0) {
    use_tried = true;
  } else {
    use_tried = boost::random::uniform_int_distribution<int>(0, 1)(rng) == 1;
  }
  const std::vector<NodeId>& table = use_tried ? tried_ : new_;
  boost::random::uniform_int_distribution<std::uint32_t> pick(0,
                                                              static_cast<std::uint32_t>(table.size() - 1));
  // Rejection over slots, as Core does: uniform over the filled ones.
  for (;;) {
    const std::uint32_t pos = pick(rng);
    if (table[pos] != kEmpty) return AddressSlot{table[pos], use_tried, pos};
  }
}

void AddressTable::for_each(const std::function<void(const AddressSlot&)>& fn) const {
  for (std::uint32_t p = 0; p < new_.size(); ++p) {
    if (new_[p] != kEmpty) fn(AddressSlot{new_[p], false, p});
  }
  for (std::uint32_t p = 0; p < tried_.size(); ++p) {
    if (tried_[p] != kEmpty) fn(AddressSlot{tried_[p], true, p});
  }
}

}  // namespace dltsim
