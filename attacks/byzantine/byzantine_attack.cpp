#include "attacks/byzantine/byzantine_attack.hpp"

#include <cmath>

#include <fmt/format.h>

#include "sim/node/runtime.hpp"

namespace dltsim::byzantine {

bft::BftConsensus& require_bft(Consensus& consensus, const std::string& attack) {
  auto* c = dynamic_cast<bft::BftConsensus*>(&consensus);
  if (c == nullptr)
    throw Error(fmt::format("attack '{}' needs a BFT protocol (pbft, hotstuff, tendermint)", attack));
  return *c;
}

ByzantineAttack::ByzantineAttack(const AttackSetup& setup, bool faulty)
    : consensus_(require_bft(setup.consensus, setup.spec.name)),
      start_s_(setup.spec.start_s),
      end_s_(setup.spec.end_s),
      faulty_(faulty) {}

std::unique_ptr<Protocol> ByzantineAttack::make_node(NodeId id, std::unique_ptr<Protocol> honest) {
  replicas_.push_back(&consensus_.replica(id));
  if (faulty_) consensus_.mark_faulty(id);
  return honest;  // the behaviour is switched through the replica, which stays the same object
}

void ByzantineAttack::on_start(Runtime& runtime) {
  runtime.call_at(start_s_, [this] {
    for (bft::Replica* r : replicas_) set(*r, true);
  });
  if (std::isfinite(end_s_)) {
    runtime.call_at(end_s_, [this] {
      for (bft::Replica* r : replicas_) set(*r, false);
    });
  }
}

}  // namespace dltsim::byzantine
