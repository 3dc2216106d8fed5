#pragma once
// What the transaction layer records: per transaction (the `transactions` table and the summary),
// mempools over time (`mempool`, sampled nodes), every arrival of a sample of transactions
// (`tx_arrivals`: who passed which transaction to whom, when; the input of origin estimators),
// drops by reason, and how compact blocks were rebuilt from mempools.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/metrics/recorder.hpp"
#include "sim/tx/tx_spec.hpp"
#include "sim/tx/tx_table.hpp"

namespace dltsim {

/// Tables the transaction layer can record (for output.record).
std::vector<std::string> transaction_table_names();

/// Why a mempool dropped or refused a transaction.
enum class TxDrop : std::uint8_t {
  low_fee = 0,     ///< below the relay minimum or the rolling minimum after evictions
  size_limit = 1,  ///< evicted: the pool was full and it paid the least
  expiry = 2,      ///< evicted: too old
  replaced = 3,    ///< replaced by a conflicting spend paying more (full-RBF)
  conflict = 4,    ///< refused: a conflicting spend is pooled (first-seen) or pays too little to replace it
  conflicted = 5,  ///< removed: a conflicting spend was confirmed
};
/// Number of TxDrop values.
inline constexpr std::size_t kTxDropKinds = 6;
/// Name of a drop reason ("low_fee", ...).
const char* tx_drop_name(TxDrop reason);

/// Final place of a transaction on the main chain, filled by the chain protocol at the end.
struct TxInclusion {
  std::uint32_t height = 0;  ///< height of the main-chain block holding it (0: none)
  double time_s = -1;        ///< that block's production time
};

/// Records of one run's transactions.
class TxMetrics {
 public:
  /// Declares the tables the scenario records.
  TxMetrics(Recorder& recorder, const TxSpec& spec, std::uint32_t nodes);
  /// `node` received `tx` from `from` (kNoNode: its own wallet) for the first time at now_s.
  void on_arrival(Transaction& tx, TxId id, NodeId node, NodeId from, double now_s);
  /// A mempool dropped or refused a transaction.
  void on_drop(TxDrop reason) { ++drops_[static_cast<std::size_t>(reason)]; }
  /// A node received a compact block: rebuilt from its mempool (`missing` 0) or not.
  void on_compact_block(std::uint64_t missing);
  /// One mempool sample.
  void sample_mempool(double now_s, NodeId node, std::uint64_t txs, double bytes, double min_fee_rate);
  /// Writes the transactions table and the summary; `inclusion` gives each transaction's place on
  /// the main chain.
  void finish(Summary& summary, const TxTable& table, const std::vector<TxInclusion>& inclusion);

 private:
  const TxSpec& spec_;
  std::uint32_t nodes_;
  TableWriter* transactions_table_;
  TableWriter* mempool_table_;
  TableWriter* arrivals_table_;
  std::array<std::uint64_t, kTxDropKinds> drops_{};
  std::uint64_t compact_blocks_ = 0;
  std::uint64_t compact_rebuilt_ = 0;
  std::uint64_t compact_missing_txs_ = 0;
  double mempool_bytes_sum_ = 0;
  std::uint64_t mempool_samples_ = 0;
};

}  // namespace dltsim
