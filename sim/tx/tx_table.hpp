#pragma once
// Every transaction of a run in one table, indexed by id: nodes keep only ids and a byte of state
// per transaction (tx_state.hpp), so 10,000 nodes that each see every transaction stay small.

#include <cstdint>
#include <limits>
#include <vector>

#include "sim/core/ids.hpp"

namespace dltsim {

/// Index of a transaction in the run's table, in creation order.
using TxId = std::uint32_t;
/// Marks "no transaction".
inline constexpr TxId kNoTx = std::numeric_limits<TxId>::max();

/// What became of a transaction by the end of the run (on the final main chain).
enum class TxFate : std::uint8_t {
  pending = 0,     ///< in some mempool, not confirmed
  confirmed = 1,   ///< in a block of the main chain
  conflicted = 2,  ///< a conflicting spend is on the main chain
  replaced = 3,    ///< replaced by a conflicting spend that paid more (full-RBF), not confirmed
  evicted = 4,     ///< dropped by every mempool that had it (size limit or expiry), not confirmed
  rejected = 5,    ///< no mempool took it (fee below the minimum, or a first-seen conflict everywhere)
};

/// One transaction.
struct Transaction {
  NodeId origin = kNoNode;         ///< node whose wallet created it
  double created_s = 0;            ///< creation time
  std::uint32_t size_bytes = 0;    ///< size on the wire and in the block
  double fee_rate_sat_vb = 0;      ///< fee rate, satoshi per virtual byte
  TxId conflict = kNoTx;           ///< the transaction it double-spends (both ways), or none
  NodeId payee = kNoNode;          ///< node whose owner it pays (a merchant, an exchange), or none
  std::uint32_t in_pools = 0;      ///< mempools holding it now
  std::uint32_t reached = 0;       ///< nodes that received it (creator included)
  std::uint32_t evictions = 0;     ///< times a mempool dropped it for size or age
  std::uint32_t replacements = 0;  ///< times a mempool replaced it
  double reach50_s = -1;           ///< when half the nodes had it (-1: never)
  double reach90_s = -1;           ///< when 90 % had it
  double reach_all_s = -1;         ///< when every node had it
  double last_arrival_s = -1;      ///< the last arrival at any node
};

/// The run's transactions.
class TxTable {
 public:
  /// Adds a transaction; returns its id.
  TxId add(const Transaction& tx) {
    txs_.push_back(tx);
    return static_cast<TxId>(txs_.size() - 1);
  }
  /// The transaction.
  Transaction& get(TxId id) { return txs_[id]; }
  /// The transaction.
  const Transaction& get(TxId id) const { return txs_[id]; }
  /// Transactions created so far.
  std::size_t size() const { return txs_.size(); }
  /// Fee in satoshi.
  double fee_sat(TxId id) const { return txs_[id].fee_rate_sat_vb * txs_[id].size_bytes; }

 private:
  std::vector<Transaction> txs_;
};

}  // namespace dltsim
