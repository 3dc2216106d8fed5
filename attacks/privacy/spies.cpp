// Spy nodes: the attack's nodes (a share of the nodes, or those in chosen ASes) relay honestly and
// report who passed each transaction to them, when: announcements, bodies and stem-phase hops. The
// estimators name an origin per transaction (first spy, reporting centre, timing fit); results are
// their precision and recall (docs/privacy.md). The spies' own wallets' transactions are not scored.

#include <memory>

#include "attacks/privacy/observing_attack.hpp"

namespace dltsim {

namespace {

class SpiesAttack final : public attacks::ObservingAttack {
 public:
  explicit SpiesAttack(const AttackSetup& setup) : ObservingAttack(setup, "spies"), nodes_(setup.nodes) {
    observer_.set_adversarial(nodes_);
  }

  void on_start(Runtime& /*runtime*/) override {
    for (const NodeId n : nodes_) consensus_.transactions()->watch(n, &observer_);
  }

 private:
  std::vector<NodeId> nodes_;
};

}  // namespace

void register_spies(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "spies";
  info.summary =
      "honest-but-curious nodes that log who passed each transaction to them; origin estimators and their "
      "precision";
  info.params = attacks::observer_params();
  info.tables = origin_observer_tables();
  info.families = {longest_chain::kFamily};
  info.needs_transactions = true;
  info.make = [](const AttackSetup& s) { return std::make_unique<SpiesAttack>(s); };
  registry.add(std::move(info));
}

}  // namespace dltsim
