#pragma once
// One node's mempool: the ids of the transactions it would mine, with their count and bytes and
// Bitcoin Core's rolling minimum fee rate after evictions. Membership lives in the node's state byte
// per transaction (transaction_layer.hpp), so the pool is a plain vector: adding is O(1), and the
// fee-rate order is built only when it is needed, for a block template (sorted then) or an eviction
// (a heap kept from the first time the pool overflows). The transactions are in the run's TxTable.

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/tx/tx_table.hpp"

namespace dltsim {

/// One node's pool of unconfirmed transactions.
class Mempool {
 public:
  /// Tells whether a transaction is (still) in this pool: the owner's membership flag.
  using Member = std::function<bool(TxId)>;
  /// Adds a transaction that is not in the pool.
  void insert(const TxTable& table, TxId id);
  /// Removes a transaction that is in the pool (the caller clears its membership first).
  void erase(const TxTable& table, TxId id, const Member& member);
  /// Transactions in the pool.
  std::size_t count() const { return count_; }
  /// Their bytes.
  double bytes() const { return bytes_; }
  /// The transaction with the lowest fee rate (the latest created among equals), or kNoTx.
  TxId lowest(const TxTable& table, const Member& member);
  /// The pool's transactions ordered by fee rate, highest first (ties: creation order, so that equal
  /// fees are served first come, first served).
  std::vector<TxId> by_fee_rate(const TxTable& table, const Member& member) const;
  /// The highest fee rates first, skipping those that do not fit or that `exclude` rules out, until
  /// `capacity_bytes` is used: a miner's block template.
  std::vector<TxId> best(double capacity_bytes, const TxTable& table, const Member& member,
                         const std::function<bool(TxId)>& exclude) const;
  /// Pooled transactions created at or before `cutoff_s` (expiry; Core counts from entry, which is
  /// seconds after creation), in id order.
  std::vector<TxId> created_before(const TxTable& table, const Member& member, double cutoff_s) const;
  /// The rolling minimum fee rate at now_s: after an eviction it is the evicted rate plus the
  /// increment, halving every kRollingFeeHalflife_s, and 0 below half the relay minimum.
  double rolling_min_fee_rate(double now_s, double relay_min_sat_vb) const;
  /// Records an eviction for the rolling minimum.
  void on_evicted(double fee_rate_sat_vb, double increment_sat_vb, double now_s);

  /// The smallest transaction the workload makes (bytes).
  static constexpr double kMinTxBytes = 60;
  /// Bitcoin Core v28, src/txmempool.h: ROLLING_FEE_HALFLIFE = 60 * 60 * 12 s.
  static constexpr double kRollingFeeHalflife_s = 12 * 3600.0;

 private:
  void compact(const Member& member);
  std::vector<TxId> ids_;  // members, and removed ids not yet compacted away
  std::size_t count_ = 0;
  double bytes_ = 0;
  std::vector<TxId> heap_;  // eviction order (lowest fee rate on top), built at the first overflow
  bool heap_built_ = false;
  double rolling_min_ = 0;
  double rolling_at_s_ = 0;
};

}  // namespace dltsim
