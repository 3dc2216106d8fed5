// Equivocation: while the attack is active its replicas, as leaders, propose two conflicting values
// for the same slot, one to each half of the honest replicas (sorted by id); as voters they vote for
// the first value to the first half and the second value to the second half. The replicas of one
// attack act as a coalition: they share the pairs of values (EquivocationPlan). With at most f of
// them no two honest replicas can commit different values; with more (2 of 4) they can, and the
// safety monitor records it.

#include "attacks/byzantine/byzantine_attack.hpp"

namespace dltsim::byzantine {

namespace {

class EquivocationAttack final : public ByzantineAttack {
 public:
  explicit EquivocationAttack(const AttackSetup& setup) : ByzantineAttack(setup, true) {}

 private:
  void set(bft::Replica& replica, bool on) override {
    replica.behaviour().equivocate = on;
    replica.behaviour().plan = on ? &plan_ : nullptr;
  }
  bft::EquivocationPlan plan_;
};

}  // namespace

void register_equivocation(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "equivocation";
  info.summary = "replicas send conflicting proposals and votes to the two halves of the honest replicas";
  info.families = {bft::kFamily};
  info.make = [](const AttackSetup& setup) { return std::make_unique<EquivocationAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim::byzantine
