// Crash: the attack's replicas stop at its start time (they receive, send and time out nothing;
// what they were processing is lost) and, if the attack has an end time, recover then and resume
// from the state they had.

#include "attacks/byzantine/byzantine_attack.hpp"

namespace dltsim::byzantine {

namespace {

class CrashAttack final : public ByzantineAttack {
 public:
  explicit CrashAttack(const AttackSetup& setup) : ByzantineAttack(setup, true) {}

 private:
  void set(bft::Replica& replica, bool on) override { replica.set_crashed(on); }
};

}  // namespace

void register_crash(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "crash";
  info.summary = "replicas stop at the attack's start and recover at its end, if it has one";
  info.families = {bft::kFamily};
  info.make = [](const AttackSetup& setup) { return std::make_unique<CrashAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim::byzantine
