#include "sim/tx/tx_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/metrics/statistics.hpp"
#include "sim/metrics/table_schema.hpp"

namespace dltsim {

namespace {

struct TxRow {
  std::uint32_t id;
  std::uint32_t origin;
  double created_s;
  std::uint32_t size_bytes;
  double fee_rate_sat_vb;
  std::uint32_t conflict;
  std::uint32_t reached;
  double reach50_s;
  double reach90_s;
  double reach100_s;
  double last_arrival_s;
  std::uint32_t height;
  double included_s;
  double confirmation_delay_s;
  std::uint32_t evictions;
  std::uint32_t replacements;
  std::uint8_t fate;
};

struct MempoolRow {
  double time_s;
  std::uint32_t node;
  std::uint64_t transactions;
  double bytes;
  double min_fee_rate_sat_vb;
};

struct TxArrivalRow {
  std::uint32_t tx;
  std::uint32_t node;
  std::uint32_t from;
  double time_s;
  double delay_s;
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TableSchema transactions_schema() {
  return {
      "transactions",
      "Every transaction: creation, spread, inclusion on the final main chain and fate",
      sizeof(TxRow),
      {DLTSIM_COLUMN(TxRow, id, "", "transaction id (creation order)"),
       DLTSIM_COLUMN(TxRow, origin, "", "node whose wallet created it"),
       DLTSIM_COLUMN(TxRow, created_s, "s", "creation time"),
       DLTSIM_COLUMN(TxRow, size_bytes, "bytes", "size (virtual bytes; also counted on the wire)"),
       DLTSIM_COLUMN(TxRow, fee_rate_sat_vb, "sat/vB", "fee rate"),
       DLTSIM_COLUMN(TxRow, conflict, "", "the transaction it double-spends (4294967295: none)"),
       DLTSIM_COLUMN(TxRow, reached, "", "nodes that received it, creator included"),
       DLTSIM_COLUMN(TxRow, reach50_s, "s", "time from creation until half the nodes had it (NaN: never)"),
       DLTSIM_COLUMN(TxRow, reach90_s, "s", "until 90 % had it"),
       DLTSIM_COLUMN(TxRow, reach100_s, "s", "until every node had it"),
       DLTSIM_COLUMN(TxRow, last_arrival_s, "s", "time from creation to its last arrival at a node"),
       DLTSIM_COLUMN(TxRow, height, "", "height of the main-chain block holding it (0: not confirmed)"),
       DLTSIM_COLUMN(TxRow, included_s, "s", "production time of that block (NaN: not confirmed)"),
       DLTSIM_COLUMN(TxRow, confirmation_delay_s, "s", "included_s - created_s (NaN: not confirmed)"),
       DLTSIM_COLUMN(TxRow, evictions, "", "times a mempool evicted it (size limit, expiry)"),
       DLTSIM_COLUMN(TxRow, replacements, "", "times a mempool replaced it by a conflicting spend"),
       DLTSIM_COLUMN(
           TxRow, fate, "",
           "0 pending, 1 confirmed, 2 conflicted (its double spend confirmed), 3 replaced, 4 evicted, "
           "5 rejected")}};
}

TableSchema mempool_schema() {
  return {
      "mempool",
      "Mempools over time at the sampled nodes (transactions.sample_nodes, every sample_interval)",
      sizeof(MempoolRow),
      {DLTSIM_COLUMN(MempoolRow, time_s, "s", "sample time"), DLTSIM_COLUMN(MempoolRow, node, "", "node"),
       DLTSIM_COLUMN(MempoolRow, transactions, "", "transactions in its mempool"),
       DLTSIM_COLUMN(MempoolRow, bytes, "bytes", "their bytes"),
       DLTSIM_COLUMN(MempoolRow, min_fee_rate_sat_vb, "sat/vB",
                     "fee rate it accepts now: the relay minimum or the rolling minimum after evictions")}};
}

TableSchema tx_arrivals_schema() {
  return {
      "tx_arrivals",
      "First arrival of each sampled transaction at each node, and the peer it came from",
      sizeof(TxArrivalRow),
      {DLTSIM_COLUMN(TxArrivalRow, tx, "", "transaction id"), DLTSIM_COLUMN(TxArrivalRow, node, "", "node"),
       DLTSIM_COLUMN(TxArrivalRow, from, "", "peer that sent it (4294967295: the node's own wallet)"),
       DLTSIM_COLUMN(TxArrivalRow, time_s, "s", "arrival time"),
       DLTSIM_COLUMN(TxArrivalRow, delay_s, "s", "arrival time minus creation time")}};
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return kNaN;
  const auto k =
      static_cast<std::size_t>(std::min<double>(v.size() - 1, std::floor(q * static_cast<double>(v.size()))));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

std::vector<std::string> transaction_table_names() {
  return {"transactions", "mempool", "tx_arrivals"};
}

const char* tx_drop_name(TxDrop reason) {
  static const char* names[kTxDropKinds] = {"low_fee",  "size_limit", "expiry",
                                            "replaced", "conflict",   "conflicted"};
  return names[static_cast<std::size_t>(reason)];
}

TxMetrics::TxMetrics(Recorder& recorder, const TxSpec& spec, std::uint32_t nodes)
    : spec_(spec),
      nodes_(nodes),
      transactions_table_(recorder.table(transactions_schema())),
      mempool_table_(recorder.table(mempool_schema())),
      arrivals_table_(spec.arrivals_fraction > 0 ? recorder.table(tx_arrivals_schema()) : nullptr) {}

void TxMetrics::on_arrival(Transaction& tx, TxId id, NodeId node, NodeId from, double now_s) {
  const std::uint32_t count = ++tx.reached;
  const double delay_s = now_s - tx.created_s;
  const double n = nodes_;
  if (tx.reach50_s < 0 && count >= std::ceil(0.5 * n)) tx.reach50_s = delay_s;
  if (tx.reach90_s < 0 && count >= std::ceil(0.9 * n)) tx.reach90_s = delay_s;
  if (tx.reach_all_s < 0 && count >= nodes_) tx.reach_all_s = delay_s;
  tx.last_arrival_s = delay_s;
  // A fixed sample by id (every k-th transaction), so that one transaction's arrivals are all kept or none.
  if (arrivals_table_ != nullptr) {
    const auto every = static_cast<std::uint64_t>(std::llround(1 / spec_.arrivals_fraction));
    if (every > 0 && id % every == 0)
      Recorder::append(arrivals_table_, TxArrivalRow{id, node, from, now_s, delay_s});
  }
}

void TxMetrics::on_compact_block(std::uint64_t missing) {
  ++compact_blocks_;
  if (missing == 0) ++compact_rebuilt_;
  compact_missing_txs_ += missing;
}

void TxMetrics::sample_mempool(double now_s, NodeId node, std::uint64_t txs, double bytes,
                               double min_fee_rate) {
  mempool_bytes_sum_ += bytes;
  ++mempool_samples_;
  Recorder::append(mempool_table_, MempoolRow{now_s, node, txs, bytes, min_fee_rate});
}

void TxMetrics::finish(Summary& summary, const TxTable& table, const std::vector<TxInclusion>& inclusion) {
  std::vector<double> delays, reach90;
  std::uint64_t confirmed = 0, fates[6] = {};
  for (TxId id = 0; id < table.size(); ++id) {
    const Transaction& tx = table.get(id);
    const TxInclusion in = id < inclusion.size() ? inclusion[id] : TxInclusion{};
    TxFate fate = TxFate::pending;
    if (in.height > 0) {
      fate = TxFate::confirmed;
    } else if (tx.conflict != kNoTx && tx.conflict < inclusion.size() && inclusion[tx.conflict].height > 0) {
      fate = TxFate::conflicted;
    } else if (tx.in_pools > 0) {
      fate = TxFate::pending;
    } else if (tx.replacements > 0) {
      fate = TxFate::replaced;
    } else if (tx.evictions > 0) {
      fate = TxFate::evicted;
    } else if (tx.reached > 0) {
      fate = TxFate::rejected;
    }
    ++fates[static_cast<int>(fate)];
    const double delay = in.height > 0 ? in.time_s - tx.created_s : kNaN;
    if (in.height > 0) {
      ++confirmed;
      delays.push_back(delay);
    }
    if (tx.reach90_s >= 0) reach90.push_back(tx.reach90_s);
    auto opt = [](double v) { return v < 0 ? kNaN : v; };
    Recorder::append(transactions_table_,
                     TxRow{id, tx.origin, tx.created_s, tx.size_bytes, tx.fee_rate_sat_vb, tx.conflict,
                           tx.reached, opt(tx.reach50_s), opt(tx.reach90_s), opt(tx.reach_all_s),
                           opt(tx.last_arrival_s), in.height, in.height > 0 ? in.time_s : kNaN, delay,
                           tx.evictions, tx.replacements, static_cast<std::uint8_t>(fate)});
  }
  const auto created = static_cast<std::uint64_t>(table.size());
  summary.set("transactions_created", created, "", "transactions the wallets created");
  summary.set("transactions_confirmed", confirmed, "", "of them, in a block of the final main chain");
  summary.set("transactions_pending", fates[0], "", "in a mempool at the end, not confirmed");
  summary.set("transactions_conflicted", fates[2], "", "not confirmed because a conflicting spend was");
  summary.set("transactions_replaced", fates[3], "",
              "replaced by a conflicting spend (full-RBF), not confirmed");
  summary.set("transactions_evicted", fates[4], "", "evicted by every mempool that had them, not confirmed");
  summary.set("transactions_rejected", fates[5], "", "refused by every mempool (fee, conflict)");
  const std::string no_confirmed = "no transaction was confirmed";
  const Estimate mean = sample_mean(delays);
  summary.set_number("tx_confirmation_delay_mean_s", delays.empty() ? kNaN : mean.value, "s",
                     "mean time from creation to the main-chain block holding it (confirmed transactions)",
                     no_confirmed);
  summary.set_number("tx_confirmation_delay_p50_s", quantile(delays, 0.5), "s", "median of it", no_confirmed);
  summary.set_number("tx_confirmation_delay_p90_s", quantile(delays, 0.9), "s", "90th percentile of it",
                     no_confirmed);
  summary.set_number("tx_reach90_mean_s", reach90.empty() ? kNaN : sample_mean(reach90).value, "s",
                     "mean time from creation until 90 % of nodes had a transaction",
                     "no transaction reached 90 % of the nodes");
  summary.set_number("tx_reach90_p90_s", quantile(reach90, 0.9), "s", "90th percentile of it",
                     "no transaction reached 90 % of the nodes");
  for (std::size_t r = 0; r < kTxDropKinds; ++r) {
    summary.set(
        std::string("tx_drops_") + tx_drop_name(static_cast<TxDrop>(r)), drops_[r], "",
        std::string("mempool drops and refusals, all nodes: ") + tx_drop_name(static_cast<TxDrop>(r)));
  }
  summary.set("compact_blocks_received", compact_blocks_, "", "compact blocks received (transactions on)");
  summary.set_number(
      "compact_reconstruction_rate",
      compact_blocks_ == 0 ? kNaN : static_cast<double>(compact_rebuilt_) / compact_blocks_, "",
      "share of compact blocks rebuilt from the receiver's mempool without a getblocktxn round trip",
      "no compact block was received");
  summary.set_number(
      "compact_missing_mean",
      compact_blocks_ == 0 ? kNaN : static_cast<double>(compact_missing_txs_) / compact_blocks_, "",
      "transactions a compact block's receiver lacked, mean", "no compact block was received");
  summary.set_number("mempool_bytes_mean",
                     mempool_samples_ == 0 ? kNaN : mempool_bytes_sum_ / mempool_samples_, "bytes",
                     "mean mempool size over the samples (sampled nodes)", "no mempool sample");
  summary.mark_proportions({"compact_reconstruction_rate"});
}

}  // namespace dltsim
