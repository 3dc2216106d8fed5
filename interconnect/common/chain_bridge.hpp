#pragma once
// What every bridge mechanism between two chain ledgers shares: its label and index, the two
// ledgers in its roles' order, and the size, fee rate and reaction time of the transactions its
// steps send (declared once: chain_bridge_params).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "interconnect/common/chain_ledger.hpp"
#include "sim/core/params.hpp"
#include "sim/interconnect/bridge.hpp"

namespace dltsim {

/// A bridge between the chain ledgers of its two roles.
class ChainBridge : public Bridge {
 protected:
  /// Reads the shared parameters (tx_size, fee_rate, reaction); throws Error when a role's ledger is
  /// not a chain with transactions.
  explicit ChainBridge(const BridgeSetup& setup);

  /// A summary key of this bridge: "<label>_<name>".
  std::string key(const char* name) const { return label_ + "_" + name; }
  /// The ledger of role 0 or 1.
  const ChainLedger& ledger(std::size_t role) const { return role == 0 ? first_ : second_; }
  /// Sends a transaction of the bridge's size and fee rate from `from`'s wallet on role `role`'s
  /// ledger, paying `payee`'s owner, now; returns it.
  TxId send(std::size_t role, NodeId from, NodeId payee) const;
  /// Runs fn on role `to`'s ledger the reaction time after the event role `from`'s ledger handles now.
  void hand_off(std::size_t from, std::size_t to, std::function<void()> fn) const;

  const LedgerLinks& links_;  ///< the run's ledgers
  std::string label_;         ///< summary prefix
  std::uint16_t index_;       ///< position among the scenario's bridges (table column)
  std::uint32_t size_;        ///< virtual size of its transactions
  double fee_rate_;           ///< their fee rate, satoshi per virtual byte
  double reaction_s_;         ///< from seeing what a party waits for to acting on it

 private:
  std::size_t first_index_;
  std::size_t second_index_;
  ChainLedger first_;
  ChainLedger second_;
};

/// The parameters every chain bridge declares: tx_size (its transactions' size, described by
/// `what`), fee_rate and reaction.
std::vector<ParamSpec> chain_bridge_params(const std::string& what);

}  // namespace dltsim
