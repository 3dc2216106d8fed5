#pragma once
// Chained HotStuff's run-wide state and registration (the replica is in hotstuff.cpp).

#include <memory>

#include "protocols/bft/bft_consensus.hpp"

namespace dltsim::hotstuff {

/// HotStuff's run-wide state.
class HotStuffConsensus final : public bft::BftConsensus {
 public:
  /// Reads the parameters, registers the message types.
  explicit HotStuffConsensus(const ProtocolSetup& setup);
  std::unique_ptr<Protocol> make_node(NodeId id) override;
  /// The pacemaker's first timeout.
  double view_timeout_s() const { return view_timeout_s_; }
  /// Message types.
  MessageType proposal, vote, new_view;

 private:
  double view_timeout_s_;
};

/// Registers "hotstuff".
void register_hotstuff(ProtocolRegistry& registry);

}  // namespace dltsim::hotstuff
