// Transaction withholding by relays (a Sybil that does not forward transactions): from start to end
// the attack's nodes, otherwise honest, hold back the transactions of others:
//   withhold: announce them (tx_inv) but never deliver (tx): a requester waits Bitcoin Core's request
//             timeout (transactions.request_timeout, 60 s) before asking the next announcer,
//   delay:    deliver them `delay` late,
//   silent:   neither announce nor deliver.
// Their own wallets' transactions go out normally. With eclipse (the attack's nodes as the victim's
// only peers), the victim learns of transactions late or never: the textbook setting of a double
// spend against a merchant.
//
// Results: the transaction messages they held back; the cost (reach and confirmation delays) is read
// against the same seed without the attack.

#include <memory>

#include "attacks/transactions/tx_attack_common.hpp"
#include "protocols/longest_chain/tx_relay.hpp"
#include "sim/adversary/attack.hpp"
#include "sim/metrics/summary.hpp"

namespace dltsim {

namespace {

class TxWithholding final : public Attack, public MessageFilter {
 public:
  explicit TxWithholding(const AttackSetup& setup)
      : consensus_(attacks::require_transactions(setup.consensus, "tx_withholding")),
        label_(setup.label),
        rule_(setup.spec.params.text("rule")),
        delay_s_(setup.spec.params.number("delay")),
        start_s_(setup.spec.start_s),
        end_s_(setup.spec.end_s),
        mine_(consensus_.node_count(), false) {
    for (const NodeId n : setup.nodes) mine_[n] = true;
  }

  MessageFilter* filter() override { return this; }

  FilterVerdict on_send(Message& msg, double now_s) override {
    FilterVerdict verdict;
    if (now_s < start_s_ || now_s >= end_s_ || !mine_[msg.from] || mine_[msg.to]) return verdict;
    const auto& t = consensus_.types();
    const bool body = msg.type == t.tx;
    const bool announcement = msg.type == t.tx_inv;
    if (!body && !announcement) return verdict;
    const TransactionLayer& layer = *consensus_.transactions();
    if (body && mine_[layer.table().get(msg.as<longest_chain::TxRef>().tx).origin]) return verdict;
    if (rule_ == "silent" || (body && rule_ == "withhold")) {
      verdict.drop = true;
    } else if (body && rule_ == "delay") {
      verdict.extra_delay_s = delay_s_;
    } else {
      return verdict;
    }
    ++held_;
    return verdict;
  }

  void finish(Summary& summary) override {
    summary.set(label_ + "_messages_held", held_, "messages",
                "transaction messages (bodies; with silent, announcements too) held back or delayed");
  }

 private:
  longest_chain::LongestChainConsensus& consensus_;
  std::string label_;
  std::string rule_;
  double delay_s_, start_s_, end_s_;
  std::vector<bool> mine_;
  std::uint64_t held_ = 0;
};

}  // namespace

void register_tx_withholding(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "tx_withholding";
  info.summary =
      "the attack's nodes announce but never deliver, delay, or silently drop others' transactions";
  info.params = {
      param::choice("rule", "withhold", {"withhold", "delay", "silent"},
                    "announce but never deliver, deliver `delay` late, or neither announce nor deliver"),
      param::only_when(
          param::duration("delay", "60 s", at_least(0), "added to each transaction they deliver"), "rule",
          {"delay"}),
  };
  info.families = {longest_chain::kFamily};
  info.needs_transactions = true;
  info.make = [](const AttackSetup& s) { return std::make_unique<TxWithholding>(s); };
  registry.add(std::move(info));
}

}  // namespace dltsim
