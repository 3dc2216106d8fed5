#pragma once
// A chain ledger (a longest-chain protocol with transactions) as bridge mechanisms use it: send a
// transaction from a node's wallet, ask how deep a transaction sits in a node's chain, list what
// the final main chain holds.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/chain/block_tree.hpp"
#include "sim/interconnect/bridge.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/tx/transaction_layer.hpp"

namespace dltsim {

namespace longest_chain {
class LongestChainConsensus;
}

/// One chain ledger of the run.
class ChainLedger {
 public:
  /// Throws Error naming the ledger when its protocol keeps no chain of transactions.
  explicit ChainLedger(const LedgerHandle& ledger);
  /// Its runtime.
  Runtime& runtime() const { return *runtime_; }
  /// Its transactions.
  TransactionLayer& layer() const { return *layer_; }
  /// Hands tx to the wallet relay of `node` now.
  void deliver(NodeId node, TxId tx) const;
  /// Blocks from the one holding tx up to `head` (1: tx is in head), in node's chain ending at
  /// `head`; 0 when that chain lacks it. `hint` remembers where it was found (start with kNoBlock).
  std::uint32_t depth(NodeId node, TxId tx, BlockId head, BlockId& hint) const;
  /// Transactions of the final main chain, with the block holding each.
  std::unordered_map<TxId, BlockId> main_chain_txs() const;
  /// A block of the ledger.
  const Block& block(BlockId id) const;

 private:
  Runtime* runtime_;
  longest_chain::LongestChainConsensus* consensus_;
  TransactionLayer* layer_;
};

/// A node parameter of a bridge: its name, value and the role (ledger position) it indexes.
struct BridgeNodeParam {
  std::string name;    ///< parameter name
  std::int64_t value;  ///< node id
  std::size_t role;    ///< index into the bridge's ledgers
};

/// What keeps the ledgers from carrying a chain bridge (no transactions section, a node id out of
/// range), or "".
std::string check_chain_ledgers(const std::vector<const Scenario*>& ledgers,
                                const std::vector<BridgeNodeParam>& nodes);

}  // namespace dltsim
