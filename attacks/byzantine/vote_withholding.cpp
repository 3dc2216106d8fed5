// Vote withholding: while the attack is active its replicas send no vote (PBFT prepares and
// commits, HotStuff votes, Tendermint prevotes and precommits); they still propose when they lead.
// With f of them, the other 2f + 1 still make every quorum, with no slack.

#include "attacks/byzantine/byzantine_attack.hpp"

namespace dltsim::byzantine {

namespace {

class VoteWithholdingAttack final : public ByzantineAttack {
 public:
  explicit VoteWithholdingAttack(const AttackSetup& setup) : ByzantineAttack(setup, true) {}

 private:
  void set(bft::Replica& replica, bool on) override { replica.behaviour().withhold_votes = on; }
};

}  // namespace

void register_vote_withholding(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "vote_withholding";
  info.summary = "replicas send no votes";
  info.families = {bft::kFamily};
  info.make = [](const AttackSetup& setup) { return std::make_unique<VoteWithholdingAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim::byzantine
