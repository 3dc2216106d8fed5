#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "sim/net/address_table.hpp"

using namespace dltsim;

namespace {
const AddressTableShape kShape{64, 16, 8};  // the peer manager's defaults
auto same_group = [](NodeId a) { return a; };
auto always = [](NodeId) { return true; };
auto never = [](NodeId) { return false; };
}  // namespace

TEST_CASE("one source group reaches at most 1/16 of the new buckets") {
  AddressTable t(kShape, 42, 100000);
  // 10,000 distinct addresses in distinct groups, all heard from source group 7.
  for (NodeId a = 0; a < 10000; ++a) t.add_new(a, a, 7);
  std::set<std::uint32_t> buckets;
  t.for_each([&](const AddressSlot& s) { buckets.insert(s.pos / kShape.bucket_size); });
  CHECK(buckets.size() <= kShape.new_buckets / 16);
  CHECK(t.new_count() <= kShape.new_buckets / 16 * kShape.bucket_size);
  // From many sources the table fills up.
  AddressTable u(kShape, 42, 100000);
  for (NodeId a = 0; a < 10000; ++a) u.add_new(a, a, a % 500);
  CHECK(u.new_count() > 0.9 * kShape.new_buckets * kShape.bucket_size);
}

TEST_CASE("a live new entry is not replaced; one that failed 3 times is") {
  AddressTable t(kShape, 1, 1000);
  REQUIRE(t.add_new(5, 5, 9));
  CHECK_FALSE(t.add_new(5, 5, 9));  // already known
  // Find another address that lands in the same slot from the same source.
  std::optional<AddressSlot> first;
  t.for_each([&](const AddressSlot& s) { first = s; });
  REQUIRE(first);
  NodeId rival = kNoNode;
  for (NodeId a = 6; a < 1000 && rival == kNoNode; ++a) {
    AddressTable probe(kShape, 1, 1000);
    probe.add_new(a, a, 9);
    probe.for_each([&](const AddressSlot& s) {
      if (s.pos == first->pos) rival = a;
    });
  }
  REQUIRE(rival != kNoNode);
  CHECK_FALSE(t.add_new(rival, rival, 9));
  for (int i = 0; i < 3; ++i) t.failed(*first);
  CHECK(t.add_new(rival, rival, 9));
  CHECK_FALSE(t.contains(5, 5));
  CHECK(t.new_count() == 1);
}

TEST_CASE("good moves an entry to tried; test-before-evict keeps a live occupant") {
  for (const bool test_before_evict : {true, false}) {
    for (const bool occupant_answers : {true, false}) {
      AddressTable t(kShape, 3, 100000);
      // Fill tried, then find a new address whose tried slot is taken.
      for (NodeId a = 0; a < 2000; ++a) t.add_tried(a, a);
      NodeId x = 2000;
      std::optional<AddressSlot> slot;
      for (; x < 100000 && !slot; ++x) {
        if (t.add_tried(x, x)) continue;  // landed in an empty slot: try another
        if (!t.add_new(x, x, x)) continue;
        t.for_each([&](const AddressSlot& s) {
          if (!s.tried && s.address == x) slot = s;
        });
      }
      REQUIRE(slot);
      const std::uint32_t tried_now = t.tried_count();
      const bool moved = t.good(*slot, test_before_evict, occupant_answers ? +always : +never, same_group);
      const bool kept = test_before_evict && occupant_answers;
      CHECK(moved == !kept);
      CHECK(t.tried_count() == tried_now);  // a collision: one in, one out, or nothing
      CHECK(t.contains(slot->address, slot->address));
    }
  }
}

TEST_CASE("select takes new and tried with even odds, uniformly within each") {
  AddressTable t(kShape, 9, 100000);
  for (NodeId a = 0; a < 50; ++a) t.add_tried(a, a);
  for (NodeId a = 1000; a < 6000; ++a) t.add_new(a, a, a);
  Rng rng(5);
  const int draws = 20000;
  int tried = 0;
  for (int i = 0; i < draws; ++i) tried += t.select(rng, false)->tried ? 1 : 0;
  // Binomial(20000, 1/2): SD 70.7; 4 SD.
  CHECK(std::abs(tried - draws / 2) < 4 * 70.7);
  for (int i = 0; i < 1000; ++i) CHECK_FALSE(t.select(rng, true)->tried);
  AddressTable empty(kShape, 9, 10);
  CHECK_FALSE(empty.select(rng, false));
}
