#include "interconnect/common/chain_bridge.hpp"

#include <utility>

#include "sim/scenario/multi_ledger.hpp"

namespace dltsim {

ChainBridge::ChainBridge(const BridgeSetup& setup)
    : links_(setup.links),
      label_(setup.label),
      index_(setup.index),
      size_(static_cast<std::uint32_t>(setup.spec.params.number("tx_size"))),
      fee_rate_(setup.spec.params.number("fee_rate")),
      reaction_s_(setup.spec.params.number("reaction")),
      first_index_(setup.ledger_of_role.at(0)),
      second_index_(setup.ledger_of_role.at(1)),
      first_(links_.ledgers()[first_index_]),
      second_(links_.ledgers()[second_index_]) {}

TxId ChainBridge::send(std::size_t role, NodeId from, NodeId payee) const {
  const ChainLedger& l = ledger(role);
  const TxId tx = l.layer().create(from, l.runtime().now_s(), size_, fee_rate_, kNoTx, payee);
  l.deliver(from, tx);
  return tx;
}

void ChainBridge::hand_off(std::size_t from, std::size_t to, std::function<void()> fn) const {
  links_.hand_off(from == 0 ? first_index_ : second_index_, to == 0 ? first_index_ : second_index_,
                  reaction_s_, std::move(fn));
}

std::vector<ParamSpec> chain_bridge_params(const std::string& what) {
  return {
      param::size("tx_size", "300 B", between(60, 100000), "virtual size of " + what),
      param::real("fee_rate", 20, greater_than(0), "fee rate of " + what + ", satoshi per virtual byte"),
      param::duration(
          "reaction", "1 s", at_least(0),
          "from seeing what a party waits for to acting on it (at least the networks' smallest latency "
          "when the action is on the other ledger)"),
  };
}

}  // namespace dltsim
