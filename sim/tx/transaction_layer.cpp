#include "sim/tx/transaction_layer.hpp"

#include <algorithm>

#include "sim/core/error.hpp"

namespace dltsim {

TransactionLayer::TransactionLayer(const TxSpec& spec, std::uint32_t nodes, Recorder& recorder,
                                   const SeedTree& seeds)
    : spec_(spec),
      workload_(spec, nodes, seeds.child("workload")),
      metrics_(recorder, spec, nodes),
      state_(nodes),
      pools_(nodes),
      v2_seed_(seeds.child("v2").rng()()) {}

void TransactionLayer::watch(NodeId node, TxWatcher* watcher) {
  auto it = std::find(watchers_.begin(), watchers_.end(), watcher);
  if (it == watchers_.end()) {
    if (watchers_.size() == 8) throw Error("at most 8 transaction observers can watch one run");
    watchers_.push_back(watcher);
    it = watchers_.end() - 1;
  }
  if (watched_.empty()) watched_.assign(state_.size(), 0);
  watched_[node] |= static_cast<std::uint8_t>(1u << (it - watchers_.begin()));
}

void TransactionLayer::sighted(TxId tx, NodeId at, NodeId from, double time_s, TxSighting kind) const {
  const std::uint8_t mask = watched_[at];
  for (std::size_t i = 0; i < watchers_.size(); ++i) {
    if ((mask >> i) & 1) watchers_[i]->sighted(tx, at, from, time_s, kind);
  }
}

bool TransactionLayer::receive_stem(NodeId node, TxId tx, NodeId from, double now_s) {
  if ((state(node, tx) & kTxSeen) != 0) return false;
  set(node, tx, kTxSeen | kTxStem);
  metrics_.on_arrival(table_.get(tx), tx, node, from, now_s);
  for (const ArrivalObserver& o : observers_) o(tx, node, from, now_s);
  return true;
}

bool TransactionLayer::v2(NodeId a, NodeId b) const {
  if (spec_.v2_share <= 0) return false;
  return spec_.v2_share >= 1 || pair_uniform(v2_seed_, a, b) < spec_.v2_share;
}

TxId TransactionLayer::create(NodeId origin, double now_s, std::uint32_t size_bytes, double fee_rate_sat_vb,
                              TxId conflict, NodeId payee) {
  Transaction tx;
  tx.origin = origin;
  tx.created_s = now_s;
  tx.size_bytes = size_bytes;
  tx.fee_rate_sat_vb = fee_rate_sat_vb;
  tx.conflict = conflict;
  tx.payee = payee;
  const TxId id = table_.add(tx);
  if (conflict != kNoTx) table_.get(conflict).conflict = id;
  return id;
}

void TransactionLayer::set(NodeId node, TxId tx, std::uint8_t flags) {
  auto& s = state_[node];
  // Grown to the whole table at once: one allocation per node per burst of new transactions.
  if (tx >= s.size()) s.resize(std::max<std::size_t>(table_.size(), tx + 1), 0);
  s[tx] |= flags;
}

TxAccept TransactionLayer::receive(NodeId node, TxId tx, NodeId from, double now_s) {
  if ((state(node, tx) & kTxSeen) != 0) return TxAccept::known;
  set(node, tx, kTxSeen);
  metrics_.on_arrival(table_.get(tx), tx, node, from, now_s);
  for (const ArrivalObserver& o : observers_) o(tx, node, from, now_s);
  return accept(node, tx, now_s);
}

double TransactionLayer::min_fee_rate(NodeId node, double now_s) const {
  return std::max(spec_.min_fee_rate_sat_vb,
                  pools_[node].rolling_min_fee_rate(now_s, spec_.min_fee_rate_sat_vb));
}

void TransactionLayer::unpool(NodeId node, TxId tx) {
  clear(node, tx, kTxPooled);
  pools_[node].erase(table_, tx, member(node));
  --table_.get(tx).in_pools;
}

void TransactionLayer::drop(NodeId node, TxId tx, TxDrop reason) {
  unpool(node, tx);
  Transaction& t = table_.get(tx);
  if (reason == TxDrop::size_limit || reason == TxDrop::expiry) ++t.evictions;
  if (reason == TxDrop::replaced) ++t.replacements;
  metrics_.on_drop(reason);
}

TxAccept TransactionLayer::accept(NodeId node, TxId tx, double now_s) {
  const std::uint8_t st = state(node, tx);
  if ((st & (kTxPooled | kTxConfirmed)) != 0) return TxAccept::known;
  const Transaction& t = table_.get(tx);
  if (t.fee_rate_sat_vb < min_fee_rate(node, now_s)) {
    metrics_.on_drop(TxDrop::low_fee);
    return TxAccept::refused;
  }
  const TxId other = t.conflict;
  if (other != kNoTx) {
    const std::uint8_t ost = state(node, other);
    if ((ost & kTxConfirmed) != 0) {
      metrics_.on_drop(TxDrop::conflict);
      return TxAccept::refused;
    }
    if ((ost & kTxPooled) != 0) {
      // Full-RBF (BIP 125's rules 3 and 4, without ancestors): a higher fee rate, and an absolute fee
      // above the replaced one's by at least the incremental rate times the newcomer's size.
      const bool pays_more =
          spec_.replace == ReplacePolicy::full_rbf && t.fee_rate_sat_vb > table_.get(other).fee_rate_sat_vb &&
          table_.fee_sat(tx) >= table_.fee_sat(other) + spec_.incremental_fee_rate_sat_vb * t.size_bytes;
      if (!pays_more) {
        metrics_.on_drop(TxDrop::conflict);
        return TxAccept::refused;
      }
      drop(node, other, TxDrop::replaced);
    }
  }
  pools_[node].insert(table_, tx);
  set(node, tx, kTxPooled);
  ++table_.get(tx).in_pools;
  // Over the cap: the lowest fee rates go (the newcomer too, if it pays least), and the pool's minimum
  // rises above what it evicted.
  bool self_evicted = false;
  while (pools_[node].bytes() > spec_.mempool_bytes && pools_[node].count() > 0) {
    const TxId low = pools_[node].lowest(table_, member(node));
    const double rate = table_.get(low).fee_rate_sat_vb;
    drop(node, low, TxDrop::size_limit);
    pools_[node].on_evicted(rate, spec_.incremental_fee_rate_sat_vb, now_s);
    self_evicted = self_evicted || low == tx;
  }
  return self_evicted ? TxAccept::refused : TxAccept::accepted;
}

void TransactionLayer::connect(NodeId node, BlockId block, double now_s) {
  for (const TxId tx : this->block(block)) {
    set(node, tx, kTxConfirmed);
    if ((state(node, tx) & kTxPooled) != 0) unpool(node, tx);
    const TxId other = table_.get(tx).conflict;
    if (other != kNoTx && (state(node, other) & kTxPooled) != 0) drop(node, other, TxDrop::conflicted);
  }
  if (now_s > spec_.expiry_s) {
    for (const TxId old : pools_[node].created_before(table_, member(node), now_s - spec_.expiry_s))
      drop(node, old, TxDrop::expiry);
  }
}

void TransactionLayer::disconnect(NodeId node, BlockId block, double now_s) {
  for (const TxId tx : this->block(block)) clear(node, tx, kTxConfirmed);
  // Core puts a disconnected block's transactions back into the mempool (DisconnectedBlockTransactions).
  for (const TxId tx : this->block(block)) {
    if ((state(node, tx) & kTxSeen) != 0) accept(node, tx, now_s);
  }
}

std::vector<TxId> TransactionLayer::block_template(NodeId node, double cutoff_s,
                                                   const std::function<bool(TxId)>& leave_out) const {
  return pools_[node].best(spec_.block_capacity_bytes, table_, member(node), [&](TxId tx) {
    return table_.get(tx).created_s > cutoff_s || (leave_out && leave_out(tx));
  });
}

void TransactionLayer::set_block(BlockId block, std::vector<TxId> txs) {
  if (block >= blocks_.size()) blocks_.resize(block + 1);
  blocks_[block] = std::move(txs);
}

const std::vector<TxId>& TransactionLayer::block(BlockId block) const {
  static const std::vector<TxId> none;
  return block < blocks_.size() ? blocks_[block] : none;
}

double TransactionLayer::block_tx_bytes(BlockId block) const {
  double bytes = 0;
  for (const TxId tx : this->block(block)) bytes += table_.get(tx).size_bytes;
  return bytes;
}

std::pair<std::uint64_t, double> TransactionLayer::missing(NodeId node, BlockId block) const {
  std::uint64_t count = 0;
  double bytes = 0;
  for (const TxId tx : this->block(block)) {
    if ((state(node, tx) & (kTxPooled | kTxConfirmed)) == 0) {
      ++count;
      bytes += table_.get(tx).size_bytes;
    }
  }
  return {count, bytes};
}

void TransactionLayer::sample(double now_s) {
  const auto n = std::min<std::size_t>(spec_.sample_nodes, pools_.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto node = static_cast<NodeId>(i);
    metrics_.sample_mempool(now_s, node, pools_[i].count(), pools_[i].bytes(), min_fee_rate(node, now_s));
  }
}

std::vector<TxInclusion> TransactionLayer::inclusion(const BlockTree& tree,
                                                     const std::vector<BlockId>& main_chain) const {
  std::vector<TxInclusion> in(table_.size());
  for (const BlockId b : main_chain) {
    for (const TxId tx : block(b)) {
      if (in[tx].height == 0) in[tx] = TxInclusion{tree.get(b).height, tree.get(b).time_s};
    }
  }
  return in;
}

void TransactionLayer::finish(Summary& summary, const BlockTree& tree,
                              const std::vector<BlockId>& main_chain) {
  metrics_.finish(summary, table_, inclusion(tree, main_chain));
}

}  // namespace dltsim
