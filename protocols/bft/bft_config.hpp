#pragma once
// Parameters every BFT protocol shares (declared once, appended to each protocol's own): the fault
// threshold, the client workload, batching, and the processing-cost model.

#include <cstdint>
#include <vector>

#include "sim/core/params.hpp"

namespace dltsim::bft {

/// Where clients send their transactions.
enum class SubmitTo {
  leader,  ///< the current leader (the leader of the highest view an honest replica is in)
  all,     ///< every replica
};

/// Typed shared parameters.
struct BftConfig {
  std::uint32_t max_faulty = 0;           ///< f (0 in the scenario: floor((n - 1) / 3))
  double tx_rate_per_s = 0;               ///< client transactions per second (Poisson)
  double tx_size_bytes = 0;               ///< size of a transaction
  SubmitTo submit_to = SubmitTo::leader;  ///< where transactions go
  double client_timeout_s = 0;            ///< leader mode: a client resends to every replica after this long
  double max_batch_bytes = 0;             ///< a batch (block) holds at most this many transaction bytes
  double max_batch_delay_s = 0;           ///< a leader waits at most this long for a batch to fill
  bool cpu_model = true;                  ///< messages cost processing time
  double signature_verify_s = 0;          ///< time to verify one signature
  double validation_rate_bps = 0;         ///< rate at which a replica hashes and checks proposal bytes
  bool verify_client_signatures = true;   ///< each transaction in a proposal costs a verification
  bool retransmit = true;                 ///< replicas recover messages a fault lost (docs/bft.md)
};

/// The shared parameter declarations.
std::vector<ParamSpec> bft_param_specs();
/// Typed shared parameters from resolved values.
BftConfig read_bft_config(const ParamValues& values);

/// f for n replicas: the scenario's max_faulty, or floor((n - 1) / 3) when it is 0.
std::uint32_t faults_tolerated(const BftConfig& config, std::uint32_t n);

/// Bytes of a signed protocol message without a batch: P2P header (24), type, view or round and
/// height or sequence (16), digest (32), replica id (4), signature (64).
inline constexpr std::uint32_t kVoteBytes = 24 + 1 + 16 + 32 + 4 + 64;
/// Bytes one signature adds to a certificate (signer id and signature).
inline constexpr std::uint32_t kSignatureBytes = 4 + 64;

}  // namespace dltsim::bft
