// Silent leader: while the attack is active its replicas send no proposal when they lead (PBFT
// pre-prepares and new views, HotStuff proposals, Tendermint proposals); they vote as usual. The
// other replicas time out and move on to the next leader.

#include "attacks/byzantine/byzantine_attack.hpp"

namespace dltsim::byzantine {

namespace {

class SilentLeaderAttack final : public ByzantineAttack {
 public:
  explicit SilentLeaderAttack(const AttackSetup& setup) : ByzantineAttack(setup, true) {}

 private:
  void set(bft::Replica& replica, bool on) override { replica.behaviour().silent_leader = on; }
};

}  // namespace

void register_silent_leader(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "silent_leader";
  info.summary = "replicas withhold their proposals when they are leader";
  info.families = {bft::kFamily};
  info.make = [](const AttackSetup& setup) { return std::make_unique<SilentLeaderAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim::byzantine
