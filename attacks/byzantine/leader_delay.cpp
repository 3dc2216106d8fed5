// Targeted delay of the current leader (the partially synchronous adversary): while the attack is
// active, every message sent by the current leader (the leader of the highest view an honest
// replica is in), if the attack's nodes include it, is delayed by `delay`. The replicas stay honest:
// the adversary is the network. A delay beyond the view timeout makes every targeted view fail.

#include <algorithm>

#include "attacks/byzantine/byzantine_attack.hpp"
#include "sim/net/message_filter.hpp"

namespace dltsim::byzantine {

namespace {

class LeaderDelayAttack final : public ByzantineAttack, public MessageFilter {
 public:
  explicit LeaderDelayAttack(const AttackSetup& setup)
      : ByzantineAttack(setup, false), delay_s_(setup.spec.params.number("delay")), targets_(setup.nodes) {}

  MessageFilter* filter() override { return this; }

  FilterVerdict on_send(Message& msg, double /*now_s*/) override {
    FilterVerdict v;
    if (active_ && msg.from == consensus_.current_leader() &&
        std::binary_search(targets_.begin(), targets_.end(), msg.from)) {
      v.extra_delay_s = delay_s_;
    }
    return v;
  }

 private:
  void set(bft::Replica& /*replica*/, bool on) override { active_ = on; }
  double delay_s_;
  std::vector<NodeId> targets_;  // sorted
  bool active_ = false;
};

}  // namespace

void register_leader_delay(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "leader_delay";
  info.summary = "the network delays every message of the current leader (among the attack's nodes)";
  info.params = {
      param::duration("delay", "5 s", at_least(0), "added to the delivery of each of the leader's messages")};
  info.families = {bft::kFamily};
  info.make = [](const AttackSetup& setup) { return std::make_unique<LeaderDelayAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim::byzantine
