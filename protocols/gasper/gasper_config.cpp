#include "protocols/gasper/gasper_config.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "protocols/gasper/gasper_constants.hpp"

namespace dltsim::gasper {

namespace {

// SSZ sizes (consensus-specs phase0): AttestationData 128 B, a BLS signature 96 B, aggregation bits
// one per committee member plus a length bit, 4-byte offsets; SignedAggregateAndProof adds the
// aggregator index (8), a selection proof and a signature (96 each).
constexpr std::uint32_t kAttestationDataBytes = 128;
constexpr std::uint32_t kSignatureBytes = 96;

std::uint32_t committees_per_slot(std::uint64_t validators, std::uint32_t slots) {
  const std::uint64_t c = validators / slots / kTargetCommitteeSize;
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(c, 1, kMaxCommitteesPerSlot));
}

}  // namespace

std::vector<ParamSpec> param_specs() {
  return {
      param::duration("slot_length", "12 s", between(0.01, 3600),
                      "slot length (SECONDS_PER_SLOT: 12 s on mainnet)"),
      param::integer("slots_per_epoch", kSlotsPerEpoch, between(1, 1024),
                     "slots in an epoch, the FFG checkpoint period (SLOTS_PER_EPOCH: 32)"),
      param::integer("validators", 1000000, between(1, 100000000),
                     "active validators of 32 ETH each, spread over the nodes by consensus.power (about "
                     "35 M ETH was staked in 2025, some 1.1 M validators: beaconcha.in)"),
      param::real("proposer_boost", kProposerScoreBoost, between(0, 1),
                  "the weight a timely block of the current slot adds to its branch, as a fraction of one "
                  "slot's committee (PROPOSER_SCORE_BOOST: 40 %; 70 % when boost was introduced in 2022; "
                  "0: LMD-GHOST without boost)"),
      param::size("block_size", "100 KB", between(1, 1e8),
                  "a beacon block with its execution payload (an assumption of the order of 2024 mainnet "
                  "blocks; set a measured size for bandwidth studies)"),
  };
}

std::string check_params(const ParamValues& v) {
  const auto validators = static_cast<std::uint64_t>(v.integer("validators"));
  const auto slots = static_cast<std::uint64_t>(v.integer("slots_per_epoch"));
  if (validators < slots) {
    return fmt::format(
        "validators ({}) fewer than slots_per_epoch ({}): every slot needs a committee of at least one "
        "validator",
        validators, slots);
  }
  return "";
}

Config read_config(const ParamValues& v) {
  Config c{};
  c.slot_s = v.number("slot_length");
  c.slots_per_epoch = static_cast<std::uint32_t>(v.integer("slots_per_epoch"));
  c.validators = static_cast<std::uint64_t>(v.integer("validators"));
  c.proposer_boost = v.number("proposer_boost");
  c.block_size_bytes = static_cast<std::uint32_t>(v.number("block_size"));
  c.committees_per_slot = committees_per_slot(c.validators, c.slots_per_epoch);
  const std::uint64_t committee = c.validators / c.slots_per_epoch / c.committees_per_slot;
  const auto bits = static_cast<std::uint32_t>(committee / 8 + 1);
  // One node's attestation: its validators' single attestations, sent together to the aggregator.
  c.attestation_bytes = kAttestationDataBytes + kSignatureBytes + bits + 4;
  // One aggregate per committee, each wrapped in SignedAggregateAndProof.
  c.aggregate_bytes = c.committees_per_slot * (c.attestation_bytes + 8 + 2 * kSignatureBytes + 4);
  c.attestation_deadline_s = c.slot_s / kIntervalsPerSlot;
  c.aggregation_deadline_s = 2 * c.slot_s / kIntervalsPerSlot;
  c.timely_block_s = c.slot_s / kIntervalsPerSlot;
  return c;
}

}  // namespace dltsim::gasper
