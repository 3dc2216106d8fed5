#pragma once
// Values the BFT protocols agree on: batches of client transactions, named by a digest.

#include <cstdint>
#include <memory>
#include <vector>

namespace dltsim::bft {

/// A client transaction's id (its index in the workload).
using TxId = std::uint64_t;
/// Names a value (a batch): equal digests, equal values.
using Digest = std::uint64_t;
/// The digest of "no value" (nil in Tendermint, null requests in PBFT).
inline constexpr Digest kNoDigest = 0;

/// A batch of transactions proposed as one value.
struct Batch {
  Digest digest = kNoDigest;  ///< names the batch
  std::vector<TxId> txs;      ///< its transactions, in order
  std::uint64_t bytes = 0;    ///< transaction bytes it carries
};

/// Batches are shared, immutable.
using BatchPtr = std::shared_ptr<const Batch>;

/// Digest of a batch proposed in `slot` by `proposer`: mixes the slot, the proposer and every
/// transaction (splitmix64 steps), so two different batches have different digests.
Digest batch_digest(std::uint64_t slot, std::uint32_t proposer, const std::vector<TxId>& txs);

/// A value conflicting with `d` for the same slot (what an equivocator sends the other half).
inline Digest conflicting(Digest d) {
  return d ^ 0x5bd1e9955bd1e995ULL;
}

}  // namespace dltsim::bft
