#pragma once
// The run-wide transaction layer of a chain protocol: the transaction table, the wallets' workload,
// each node's mempool and its state per transaction (one byte each, indexed by id), the mempool
// policy (minimum fee, conflicts under first-seen or full-RBF, size cap with eviction, expiry),
// what each block holds, and the records. The relay protocol (who tells whom, when) is the
// protocol's; it calls accept() when a transaction arrives and connect()/disconnect() when its
// node's chain changes.

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/chain/block_tree.hpp"
#include "sim/core/rng.hpp"
#include "sim/tx/mempool.hpp"
#include "sim/tx/tx_metrics.hpp"
#include "sim/tx/tx_spec.hpp"
#include "sim/tx/tx_table.hpp"
#include "sim/tx/tx_workload.hpp"

namespace dltsim {

/// What a node knows of one transaction (bit flags).
enum TxState : std::uint8_t {
  kTxSeen = 1,       ///< the node has (or had) the transaction's body
  kTxPooled = 2,     ///< in its mempool
  kTxConfirmed = 4,  ///< in a block of its current chain
  kTxAsked = 8,      ///< announced to it; a request is pending or made
  kTxStem = 16,      ///< held in the stem phase (Dandelion): not pooled, not announced
};

/// How an observer at a node learned of a transaction from a peer.
enum class TxSighting : std::uint8_t {
  announced = 0,  ///< the peer announced it (inv)
  body = 1,       ///< the peer sent its body (tx)
  stem = 2,       ///< the peer passed it on in the stem phase
};

/// Sees transactions at the nodes it watches (an adversary listening at nodes it runs).
class TxWatcher {
 public:
  virtual ~TxWatcher() = default;
  /// Node `at` learned of tx from peer `from` at time_s.
  virtual void sighted(TxId tx, NodeId at, NodeId from, double time_s, TxSighting kind) = 0;
};

/// Result of offering a transaction to a mempool.
enum class TxAccept {
  accepted,  ///< now pooled (relay it)
  known,     ///< already seen: nothing to do
  refused,   ///< not pooled (fee, conflict, confirmed)
};

/// The transaction layer of one run.
class TransactionLayer {
 public:
  /// For `nodes` nodes; random streams from `seeds`.
  TransactionLayer(const TxSpec& spec, std::uint32_t nodes, Recorder& recorder, const SeedTree& seeds);

  /// The scenario's section.
  const TxSpec& spec() const { return spec_; }
  /// All transactions.
  TxTable& table() { return table_; }
  /// All transactions.
  const TxTable& table() const { return table_; }
  /// The workload's draws.
  TxWorkload& workload() { return workload_; }
  /// The records.
  TxMetrics& metrics() { return metrics_; }

  /// Creates a transaction (not yet at any node) that pays `payee`'s owner (kNoNode: nobody the run
  /// tracks); returns its id.
  TxId create(NodeId origin, double now_s, std::uint32_t size_bytes, double fee_rate_sat_vb,
              TxId conflict = kNoTx, NodeId payee = kNoNode);

  /// The node's flags for a transaction.
  std::uint8_t state(NodeId node, TxId tx) const {
    const auto& s = state_[node];
    return tx < s.size() ? s[tx] : 0;
  }
  /// Sets flags.
  void set(NodeId node, TxId tx, std::uint8_t flags);
  /// Clears flags.
  void clear(NodeId node, TxId tx, std::uint8_t flags) {
    if (tx < state_[node].size()) state_[node][tx] &= static_cast<std::uint8_t>(~flags);
  }

  /// The node received the body of tx from `from` (kNoNode: its own wallet) at now_s: records the
  /// arrival the first time and offers it to the mempool.
  TxAccept receive(NodeId node, TxId tx, NodeId from, double now_s);
  /// Offers tx to the node's mempool under the policy.
  TxAccept accept(NodeId node, TxId tx, double now_s);
  /// The node's chain gained `block`: its transactions are confirmed there and leave the mempool
  /// with their conflicts; old transactions expire.
  void connect(NodeId node, BlockId block, double now_s);
  /// The node's chain lost `block` (a reorg): its transactions return to the mempool if they still fit.
  void disconnect(NodeId node, BlockId block, double now_s);
  /// A block template from the node's mempool: the highest fee rates that fit the capacity, among
  /// the transactions created up to `cutoff_s` (when the miner's template was last refreshed).
  std::vector<TxId> block_template(NodeId node, double cutoff_s,
                                   const std::function<bool(TxId)>& leave_out = nullptr) const;
  /// Records what a new block holds.
  void set_block(BlockId block, std::vector<TxId> txs);
  /// What a block holds (empty for blocks made without transactions).
  const std::vector<TxId>& block(BlockId block) const;
  /// Bytes of a block's transactions.
  double block_tx_bytes(BlockId block) const;
  /// Transactions of `block` the node lacks in its mempool (and has not confirmed): what a compact
  /// block's receiver must fetch, and their bytes.
  std::pair<std::uint64_t, double> missing(NodeId node, BlockId block) const;
  /// The node's mempool.
  const Mempool& mempool(NodeId node) const { return pools_[node]; }
  /// The fee rate the node's mempool accepts now.
  double min_fee_rate(NodeId node, double now_s) const;
  /// Samples the mempools of the sampled nodes.
  void sample(double now_s);
  /// Called at every first arrival of a transaction at a node: (tx, node, from, time); attacks and
  /// observers (a merchant listening for conflicts, spies) register here.
  using ArrivalObserver = std::function<void(TxId, NodeId, NodeId, double)>;
  /// Adds an observer of first arrivals.
  void observe_arrivals(ArrivalObserver observer) { observers_.push_back(std::move(observer)); }
  /// Called when a watched node's chain head changes: (node, new head, time).
  using HeadObserver = std::function<void(NodeId, BlockId, double)>;
  /// `observer` hears every head change of `node` (a bridge operator or an exchange at its node).
  void observe_head(NodeId node, HeadObserver observer) {
    head_observers_.emplace_back(node, std::move(observer));
  }
  /// The relay of `node` has connected and disconnected the blocks of its new head: tells observers.
  void head_changed(NodeId node, BlockId head, double now_s) const {
    for (const auto& [watched, observer] : head_observers_) {
      if (watched == node) observer(node, head, now_s);
    }
  }
  /// `watcher` sees every sighting at `node` from now on (at most 8 watchers per run).
  void watch(NodeId node, TxWatcher* watcher);
  /// True when some watcher sees this node's sightings (the relay asks before reporting).
  bool watched(NodeId node) const { return !watched_.empty() && watched_[node] != 0; }
  /// The relay at `at` learned of tx from `from`: tells the node's watchers.
  void sighted(TxId tx, NodeId at, NodeId from, double time_s, TxSighting kind) const;
  /// The node received tx from `from` in the stem phase (Dandelion): records the arrival the first
  /// time and holds it (kTxStem) without pooling it; false when the node had it already.
  bool receive_stem(NodeId node, TxId tx, NodeId from, double now_s);
  /// True when the connection between a and b runs BIP 324 v2 transport (v2_share of connections,
  /// drawn once per pair from the seed).
  bool v2(NodeId a, NodeId b) const;
  /// Where each transaction sits on the main chain `main_chain` (blocks from genesis).
  std::vector<TxInclusion> inclusion(const BlockTree& tree, const std::vector<BlockId>& main_chain) const;
  /// Writes the tables and summary; `main_chain` lists the main chain's blocks from genesis.
  void finish(Summary& summary, const BlockTree& tree, const std::vector<BlockId>& main_chain);

 private:
  void drop(NodeId node, TxId tx, TxDrop reason);
  void unpool(NodeId node, TxId tx);
  Mempool::Member member(NodeId node) const {
    return [this, node](TxId tx) { return (state(node, tx) & kTxPooled) != 0; };
  }
  const TxSpec& spec_;
  TxTable table_;
  TxWorkload workload_;
  TxMetrics metrics_;
  std::vector<std::vector<std::uint8_t>> state_;
  std::vector<Mempool> pools_;
  std::vector<std::vector<TxId>> blocks_;
  std::vector<ArrivalObserver> observers_;
  std::vector<std::pair<NodeId, HeadObserver>> head_observers_;
  std::vector<TxWatcher*> watchers_;
  std::vector<std::uint8_t> watched_;  // per node: bit i set when watchers_[i] watches it
  std::uint64_t v2_seed_;
};

}  // namespace dltsim
