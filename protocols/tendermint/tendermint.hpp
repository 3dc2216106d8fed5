#pragma once
// Tendermint's run-wide state and registration (the replica is in tendermint.cpp).

#include <cstdint>
#include <memory>

#include "protocols/bft/bft_consensus.hpp"

namespace dltsim::tendermint {

/// Round timeouts: a base and a step added per round.
struct Timeouts {
  double propose_s;          ///< round 0 propose timeout
  double propose_delta_s;    ///< added per round
  double prevote_s;          ///< round 0 prevote timeout
  double prevote_delta_s;    ///< added per round
  double precommit_s;        ///< round 0 precommit timeout
  double precommit_delta_s;  ///< added per round
  double commit_s;           ///< pause after a decision before the next height
  /// Timeout of each step in round r.
  double propose(std::int64_t r) const { return propose_s + static_cast<double>(r) * propose_delta_s; }
  /// Prevote timeout in round r.
  double prevote(std::int64_t r) const { return prevote_s + static_cast<double>(r) * prevote_delta_s; }
  /// Precommit timeout in round r.
  double precommit(std::int64_t r) const { return precommit_s + static_cast<double>(r) * precommit_delta_s; }
};

/// Re-gossip of what the network lost (with `retransmit`), after CometBFT's consensus reactor.
struct Gossip {
  double interval_s;  ///< at most one answer per peer this often (peer_gossip_sleep_duration)
  double query_s;     ///< a stalled round re-sends its messages this often (peer_query_maj23_sleep_duration)
};

/// Tendermint's run-wide state.
class TendermintConsensus final : public bft::BftConsensus {
 public:
  /// Reads the parameters, registers the message types.
  explicit TendermintConsensus(const ProtocolSetup& setup);
  std::unique_ptr<Protocol> make_node(NodeId id) override;
  /// Round timeouts.
  const Timeouts& timeouts() const { return timeouts_; }
  /// Re-gossip periods.
  const Gossip& gossip() const { return gossip_; }
  /// Message types (commit_request and commit: a replica behind catching up).
  MessageType proposal, prevote, precommit, commit_request, commit;

 private:
  Timeouts timeouts_;
  Gossip gossip_;
};

/// Registers "tendermint".
void register_tendermint(ProtocolRegistry& registry);

}  // namespace dltsim::tendermint
