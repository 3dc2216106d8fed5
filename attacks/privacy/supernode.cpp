// A supernode (Biryukov, Khovratovich and Pustogarov, CCS 2014): the attack's nodes stop behaving as
// ledger nodes and, from `start`, each opens a connection to a share `reach` of the honest nodes
// (all by default; its connections as a ledger node close) and listens: it announces nothing and requests
// nothing, and logs who announced each transaction to it, when. Honest nodes treat it as one more inbound
// peer, so their trickle timers (or diffusion delays) set when it hears. At `end` it closes the connections.
// The estimators then name an origin per transaction (docs/privacy.md).

#include <memory>

#include <fmt/format.h>
#include <boost/random/uniform_01.hpp>

#include "attacks/privacy/observing_attack.hpp"
#include "protocols/longest_chain/tx_relay.hpp"
#include "sim/core/sampling.hpp"
#include "sim/net/network.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

// A node that only listens for transactions.
class ListeningNode final : public Protocol {
 public:
  ListeningNode(NodeId id, const longest_chain::MessageTypeIds& types, OriginObserver& observer)
      : id_(id), types_(types), observer_(observer) {}
  void on_message(NodeContext& ctx, const Message& msg) override {
    if (msg.type == types_.tx_inv) {
      for (const TxId tx : msg.as<longest_chain::TxList>().txs)
        observer_.report(tx, id_, msg.from, ctx.now_s(), ObservationKind::announced);
    } else if (msg.type == types_.tx || msg.type == types_.tx_stem) {
      observer_.report(msg.as<longest_chain::TxRef>().tx, id_, msg.from, ctx.now_s(),
                       msg.type == types_.tx ? ObservationKind::body : ObservationKind::stem);
    }
  }

 private:
  NodeId id_;
  const longest_chain::MessageTypeIds& types_;
  OriginObserver& observer_;
};

class SupernodeAttack final : public attacks::ObservingAttack {
 public:
  explicit SupernodeAttack(const AttackSetup& setup)
      : ObservingAttack(setup, "supernode"),
        nodes_(setup.nodes),
        reach_(setup.spec.params.number("reach")),
        start_s_(setup.spec.start_s),
        end_s_(setup.spec.end_s),
        rng_(setup.seeds.child("connections").rng()) {
    observer_.set_adversarial(nodes_);
  }

  std::unique_ptr<Protocol> make_node(NodeId id, std::unique_ptr<Protocol> /*honest*/) override {
    return std::make_unique<ListeningNode>(id, consensus_.types(), observer_);
  }

  void on_start(Runtime& runtime) override {
    runtime.call_at(start_s_, [this, &runtime] { connect(runtime); });
    if (std::isfinite(end_s_)) runtime.call_at(end_s_, [this, &runtime] { disconnect(runtime); });
  }

 private:
  void connect(Runtime& runtime) {
    // A listener, not a peer: the connections it had as a ledger node close first.
    for (const NodeId s : nodes_) {
      const std::vector<PeerLink> old = network_.topology().peers(s);
      for (const PeerLink& p : old) {
        network_.topology().disconnect(s, p.peer);
        runtime.connection_lost(p.peer, s);
      }
    }
    std::vector<bool> own(network_.size(), false);
    for (const NodeId s : nodes_) own[s] = true;
    std::vector<NodeId> honest;
    for (NodeId n = 0; n < network_.size(); ++n) {
      if (!own[n]) honest.push_back(n);
    }
    const auto k = static_cast<std::size_t>(std::llround(reach_ * static_cast<double>(honest.size())));
    for (const NodeId s : nodes_) {
      for (const NodeId n : sample(honest, k, rng_)) {
        if (network_.topology().link(s, n) != nullptr) continue;
        network_.topology().connect(s, n, network_.draw_latency_s(s, n, rng_));
        opened_.emplace_back(s, n);
        runtime.reconnected(s, n);
      }
    }
  }

  void disconnect(Runtime& runtime) {
    for (const auto& [s, n] : opened_) {
      network_.topology().disconnect(s, n);
      runtime.connection_lost(n, s);
    }
    opened_.clear();
  }

  std::vector<NodeId> nodes_;
  double reach_, start_s_, end_s_;
  Rng rng_;
  std::vector<std::pair<NodeId, NodeId>> opened_;
};

}  // namespace

void register_supernode(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "supernode";
  info.summary =
      "listening nodes connected to (a share of) every node that log who announces each transaction; origin "
      "estimators and their precision";
  info.params = attacks::observer_params();
  info.params.insert(
      info.params.begin(),
      param::real("reach", 1, between(0, 1),
                  "share of the honest nodes each supernode connects to (0: none, a control)"));
  info.tables = origin_observer_tables();
  info.families = {longest_chain::kFamily};
  info.needs_transactions = true;
  info.check_network = [](const ParamValues&, const NetworkSpec& net) -> std::string {
    if (!net.peers.enabled) return "";
    return "a supernode needs a static peer graph (without network.peers): the address manager does not "
           "know its connections";
  };
  info.make = [](const AttackSetup& s) { return std::make_unique<SupernodeAttack>(s); };
  registry.add(std::move(info));
}

}  // namespace dltsim
