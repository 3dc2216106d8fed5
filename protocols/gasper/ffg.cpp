#include "protocols/gasper/ffg.hpp"

namespace dltsim::gasper {

namespace {

// Bits first..last (inclusive) all set.
bool all_bits(std::uint8_t bits, unsigned first, unsigned last) {
  for (unsigned i = first; i <= last; ++i) {
    if ((bits & (1u << i)) == 0) return false;
  }
  return true;
}

}  // namespace

FfgState process_justification_and_finalization(const FfgState& state, const EpochVotes& votes) {
  if (votes.current_epoch <= 1) return state;  // GENESIS_EPOCH + 1
  FfgState s = state;
  const Checkpoint old_previous = state.previous_justified;
  const Checkpoint old_current = state.current_justified;
  const std::uint64_t e = votes.current_epoch;

  s.previous_justified = state.current_justified;
  s.justification_bits = static_cast<std::uint8_t>((state.justification_bits << 1) & 0x0f);
  if (supermajority(votes.previous_target, votes.total_stake)) {
    s.current_justified = votes.previous;
    s.justification_bits |= 0b10;
  }
  if (supermajority(votes.current_target, votes.total_stake)) {
    s.current_justified = votes.current;
    s.justification_bits |= 0b01;
  }

  const std::uint8_t bits = s.justification_bits;
  if (all_bits(bits, 1, 3) && old_previous.epoch + 3 == e) s.finalized = old_previous;
  if (all_bits(bits, 1, 2) && old_previous.epoch + 2 == e) s.finalized = old_previous;
  if (all_bits(bits, 0, 2) && old_current.epoch + 2 == e) s.finalized = old_current;
  if (all_bits(bits, 0, 1) && old_current.epoch + 1 == e) s.finalized = old_current;
  return s;
}

}  // namespace dltsim::gasper
