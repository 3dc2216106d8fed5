#pragma once
// Byzantine behaviours of BFT replicas (PBFT, HotStuff, Tendermint): an attack takes its nodes'
// replicas, marks them faulty (the safety monitor and the honest latencies leave them out), and
// switches a behaviour on at its start time and off at its end time.

#include <memory>
#include <string>
#include <vector>

#include "protocols/bft/bft_consensus.hpp"
#include "sim/adversary/attack.hpp"

namespace dltsim::byzantine {

/// The BFT consensus of a run, or an Error naming the attack if the protocol is another one.
bft::BftConsensus& require_bft(Consensus& consensus, const std::string& attack);

/// A behaviour switched on the attack's replicas during its window.
class ByzantineAttack : public Attack {
 public:
  /// `faulty`: the replicas count as faulty (not for a network adversary that only slows them).
  ByzantineAttack(const AttackSetup& setup, bool faulty);
  std::unique_ptr<Protocol> make_node(NodeId id, std::unique_ptr<Protocol> honest) override;
  void on_start(Runtime& runtime) override;

 protected:
  /// Switches the behaviour on (true) or off for one replica.
  virtual void set(bft::Replica& replica, bool on) = 0;
  /// The run's BFT state.
  bft::BftConsensus& consensus_;

 private:
  double start_s_;
  double end_s_;
  bool faulty_;
  std::vector<bft::Replica*> replicas_;
};

}  // namespace dltsim::byzantine
