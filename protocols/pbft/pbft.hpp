#pragma once
// PBFT (Castro and Liskov, OSDI 1999; TOCS 2002): the primary of view v (replica v mod n) assigns
// sequence numbers to batches of requests in PRE-PREPARE messages; backups PREPARE them; a batch is
// prepared with its pre-prepare and 2f matching prepares, and committed-local with 2f + 1 matching
// COMMITs; replicas execute in sequence order. Every K sequence numbers replicas exchange
// CHECKPOINTs; 2f + 1 make a checkpoint stable, which moves the low watermark (the log holds
// sequence numbers in (h, h + L]) and discards older entries. A backup waiting for a request
// starts a timer; on expiry it sends VIEW-CHANGE for v + 1 (its stable checkpoint and prepared
// batches); the new primary, with 2f view changes from others, sends NEW-VIEW re-proposing every
// prepared batch (null batches in the gaps). The timeout doubles on consecutive view changes.
// Messages are point to point (no self-sends). With `retransmit`, a replica in a view change re-sends
// its VIEW-CHANGE to the replicas it has not heard from, and a replica that receives such a
// retransmission answers with what the sender lacks: its own VIEW-CHANGE, the NEW-VIEW it sent as
// primary, its stable checkpoint (see pbft.cpp).

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "protocols/bft/bft_consensus.hpp"

namespace dltsim::pbft {

using bft::BatchPtr;
using bft::Digest;

/// Parameters of PBFT beyond the shared ones.
struct PbftConfig {
  std::uint64_t checkpoint_interval;  ///< K: a checkpoint every K sequence numbers
  std::uint64_t log_window;           ///< L: sequence numbers accepted above the stable checkpoint
  double view_change_timeout_s;       ///< first timeout; doubles with each consecutive view change
  double retransmit_interval_s;       ///< a replica in a view change re-sends its VIEW-CHANGE this often
};

/// PBFT's run-wide state.
class PbftConsensus final : public bft::BftConsensus {
 public:
  /// Reads the parameters, registers the message types.
  explicit PbftConsensus(const ProtocolSetup& setup);
  std::unique_ptr<Protocol> make_node(NodeId id) override;
  /// PBFT parameters.
  const PbftConfig& pbft() const { return pbft_; }
  /// Message types.
  MessageType preprepare, prepare, commit, checkpoint, view_change, new_view;

 private:
  PbftConfig pbft_;
};

/// Registers "pbft".
void register_pbft(ProtocolRegistry& registry);

}  // namespace dltsim::pbft
