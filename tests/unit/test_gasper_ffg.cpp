// Casper FFG's epoch processing against the rules of consensus-specs phase0
// (weigh_justification_and_finalization), worked by hand epoch by epoch.

#include <catch2/catch.hpp>

#include "protocols/gasper/ffg.hpp"

using namespace dltsim::gasper;

namespace {

// The chain's checkpoint of epoch e: block e in these tests.
Checkpoint cp(std::uint64_t e) {
  return Checkpoint{e, static_cast<dltsim::BlockId>(e)};
}

EpochVotes votes(std::uint64_t e, double previous, double current) {
  return EpochVotes{e, 1.0, previous, current, cp(e - 1), cp(e)};
}

}  // namespace

TEST_CASE("the first two epochs are not processed") {
  const FfgState s = process_justification_and_finalization(FfgState{}, votes(1, 1, 1));
  CHECK(s.current_justified == cp(0));
  CHECK(s.justification_bits == 0);
}

TEST_CASE("two thirds of the stake justify an epoch and less does not") {
  FfgState s = process_justification_and_finalization(FfgState{}, votes(2, 0, 2.0 / 3.0));
  CHECK(s.current_justified == cp(2));
  CHECK(s.justification_bits == 0b01);
  s = process_justification_and_finalization(FfgState{}, votes(2, 0, 0.66));
  CHECK(s.current_justified == cp(0));
  CHECK(s.justification_bits == 0);
}

TEST_CASE("with timely votes epoch e is finalised at the end of epoch e + 1") {
  FfgState s;
  for (std::uint64_t e = 2; e <= 8; ++e) {
    s = process_justification_and_finalization(s, votes(e, 1, 1));
    CHECK(s.current_justified == cp(e));
    CHECK(s.previous_justified == (e == 2 ? cp(0) : cp(e - 1)));
    // At the end of epoch 2 the source of epoch 2's link is genesis, two epochs back, and epoch 0's
    // bit is not set (never processed): nothing is finalised yet.
    CHECK(s.finalized == (e == 2 ? cp(0) : cp(e - 1)));
  }
}

TEST_CASE("with votes included one epoch late the 2nd/3rd/4th rule finalises epoch e - 3") {
  FfgState s;
  for (std::uint64_t e = 2; e <= 8; ++e) {
    s = process_justification_and_finalization(s, votes(e, 1, 0));
    CHECK(s.current_justified == cp(e - 1));
    CHECK(s.finalized == (e < 4 ? cp(0) : cp(e - 3)));
  }
}

TEST_CASE("a missed epoch delays finality until two consecutive epochs are justified") {
  FfgState s;
  s = process_justification_and_finalization(s, votes(2, 1, 1));
  s = process_justification_and_finalization(s, votes(3, 1, 1));
  CHECK(s.finalized == cp(2));
  s = process_justification_and_finalization(s, votes(4, 0, 0.5));  // epoch 4 short of two thirds
  CHECK(s.current_justified == cp(3));
  CHECK(s.finalized == cp(2));
  s = process_justification_and_finalization(s, votes(5, 0, 1));  // epoch 5 justified from 3
  CHECK(s.current_justified == cp(5));
  CHECK(s.finalized == cp(2));  // 3 -> 5 skips an epoch: the 1st/3rd rule needs epoch 4 justified
  s = process_justification_and_finalization(s, votes(6, 1, 1));
  CHECK(s.finalized == cp(5));
}
