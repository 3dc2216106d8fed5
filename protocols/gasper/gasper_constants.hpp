#pragma once
// Ethereum's proof-of-stake constants (mainnet preset) from the consensus specification,
// ethereum/consensus-specs specs/phase0/beacon-chain.md and fork-choice.md: the defaults of the
// gasper protocol's parameters and the fixed rules of its fork choice.

#include <cstdint>

namespace dltsim::gasper {

/// SECONDS_PER_SLOT.
inline constexpr double kSecondsPerSlot = 12;
/// SLOTS_PER_EPOCH.
inline constexpr std::uint32_t kSlotsPerEpoch = 32;
/// INTERVALS_PER_SLOT: attestations are due a third into the slot, aggregates two thirds.
inline constexpr std::uint32_t kIntervalsPerSlot = 3;
/// PROPOSER_SCORE_BOOST, as a fraction of one slot's committee weight (40; 70 when introduced).
inline constexpr double kProposerScoreBoost = 0.40;
/// REORG_HEAD_WEIGHT_THRESHOLD: a late head with less than this share of a committee may be reorged.
inline constexpr double kReorgHeadWeightThreshold = 0.20;
/// REORG_PARENT_WEIGHT_THRESHOLD: only if its parent holds more than this share of a committee.
inline constexpr double kReorgParentWeightThreshold = 1.60;
/// REORG_MAX_EPOCHS_SINCE_FINALIZATION: honest reorgs only while finality is this recent.
inline constexpr std::uint32_t kReorgMaxEpochsSinceFinalization = 2;
/// JUSTIFICATION_BITS_LENGTH: epochs whose justification a state remembers.
inline constexpr std::uint32_t kJustificationBitsLength = 4;
/// TARGET_COMMITTEE_SIZE (validators per committee the shuffling aims for).
inline constexpr std::uint32_t kTargetCommitteeSize = 128;
/// MAX_COMMITTEES_PER_SLOT.
inline constexpr std::uint32_t kMaxCommitteesPerSlot = 64;
/// TARGET_AGGREGATORS_PER_COMMITTEE (honest validator guide).
inline constexpr std::uint32_t kTargetAggregatorsPerCommittee = 16;

}  // namespace dltsim::gasper
