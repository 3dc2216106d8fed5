// Restart: the attack's nodes go offline at `start` and come back at `end`, as when an operator
// restarts them (the moment an eclipse attacker waits for) or a takedown ends. Offline they lose
// every message both ways and do not produce; their peers notice at once; back online they and
// their peers exchange heads as on new connections (the runtime's churn machinery, here at fixed
// times). Any protocol: what it does on reconnection is its own (Protocol::on_reconnected).

#include "sim/adversary/attack.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

class RestartAttack final : public Attack {
 public:
  explicit RestartAttack(const AttackSetup& setup)
      : label_(setup.label), nodes_(setup.nodes), start_s_(setup.spec.start_s), end_s_(setup.spec.end_s) {}

  void on_start(Runtime& runtime) override {
    runtime.call_at(start_s_, [this, &runtime] {
      for (const NodeId n : nodes_) runtime.set_online(n, false);
    });
    runtime.call_at(end_s_, [this, &runtime] {
      for (const NodeId n : nodes_) runtime.set_online(n, true);
    });
  }

  void finish(Summary& summary) override {
    summary.set(label_ + "_nodes", static_cast<std::int64_t>(nodes_.size()), "nodes", "nodes restarted");
    summary.set(label_ + "_downtime_s", end_s_ - start_s_, "s", "time they were down (infinite: never back)");
  }

 private:
  std::string label_;
  std::vector<NodeId> nodes_;
  double start_s_;
  double end_s_;
};

}  // namespace

void register_restart(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "restart";
  info.summary = "the attack's nodes go offline at start and come back at end (a restart, a takedown)";
  info.make = [](const AttackSetup& setup) { return std::make_unique<RestartAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
