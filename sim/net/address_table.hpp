#pragma once
// One node's address table after Bitcoin Core's address manager (addrman): a "new" table of
// addresses it has heard of and a "tried" table of addresses it has connected to, each an array of
// buckets of slots. Where an address goes is a keyed hash of network groups (as in Core), so one
// source group reaches few "new" buckets and one address group few "tried" buckets: an attacker
// needs addresses and sources in many groups to fill a table. Addresses are node ids.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/core/rng.hpp"

namespace dltsim {

/// Sizes of an address table.
struct AddressTableShape {
  std::uint32_t new_buckets;    ///< buckets of "new"
  std::uint32_t tried_buckets;  ///< buckets of "tried"
  std::uint32_t bucket_size;    ///< slots per bucket
};

/// Where an address sits in a table.
struct AddressSlot {
  NodeId address;     ///< the address
  bool tried;         ///< in "tried" (else "new")
  std::uint32_t pos;  ///< slot index in that table
};

/// New and tried tables of one node.
class AddressTable {
 public:
  /// Empty tables over addresses 0..address_count-1, with the node's secret bucketing key.
  AddressTable(const AddressTableShape& shape, std::uint64_t key, std::uint32_t address_count);

  /// Adds an address heard from a peer of group source_group to "new". False when it is already
  /// known, or its slot holds a live entry (Core replaces only an entry that keeps failing).
  bool add_new(NodeId address, std::uint32_t address_group, std::uint32_t source_group);
  /// Puts an address straight into "tried" (known peers at the start). False if its slot is taken.
  bool add_tried(NodeId address, std::uint32_t address_group);
  /// True if the address is in either table.
  bool contains(NodeId address, std::uint32_t address_group) const;

  /// A connection to the address in `slot` succeeded: it moves from "new" to "tried" (from "tried"
  /// it stays and its failures are forgotten). If its "tried" slot is taken, the occupant is first
  /// tested when test_before_evict (kept if answers(occupant), the address then stays in "new"),
  /// else moved back to "new". group_of gives an address's group. Returns true if it is in "tried".
  bool good(const AddressSlot& slot, bool test_before_evict, const std::function<bool(NodeId)>& answers,
            const std::function<std::uint32_t(NodeId)>& group_of);
  /// A connection to the address in `slot` failed.
  void failed(const AddressSlot& slot);

  /// An entry drawn as Core's Select does: "new" or "tried" with even odds (the non-empty one if
  /// one is empty; only "new" when new_only), then a uniformly random filled slot.
  std::optional<AddressSlot> select(Rng& rng, bool new_only) const;
  /// Calls fn(slot) for every filled slot, "new" first, in slot order.
  void for_each(const std::function<void(const AddressSlot&)>& fn) const;

  /// Filled slots of "new".
  std::uint32_t new_count() const { return new_count_; }
  /// Filled slots of "tried".
  std::uint32_t tried_count() const { return tried_count_; }

 private:
  static constexpr NodeId kEmpty = kNoNode;
  static constexpr std::uint8_t kTerrible = 3;  // failures after which an entry may be replaced

  std::uint32_t new_pos(NodeId address, std::uint32_t address_group, std::uint32_t source_group) const;
  std::uint32_t tried_pos(NodeId address, std::uint32_t address_group) const;
  std::uint64_t hash(std::uint64_t a, std::uint64_t b, std::uint64_t c) const;
  void put_new(std::uint32_t pos, NodeId address);
  void clear_new(std::uint32_t pos);

  AddressTableShape shape_;
  std::uint64_t key_;
  std::vector<NodeId> new_;  // address per slot, kEmpty if none
  std::vector<NodeId> tried_;
  std::vector<std::uint8_t> new_failures_;
  std::vector<std::uint8_t> tried_failures_;
  std::vector<bool> in_new_;  // by address: one "new" entry per address (Core allows up to 8)
  std::uint32_t new_count_ = 0;
  std::uint32_t tried_count_ = 0;
};

}  // namespace dltsim
