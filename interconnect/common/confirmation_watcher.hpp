#pragma once
// Waits, at one node of a chain ledger, until transactions are deep enough in that node's chain:
// what an exchange, a relayer, a signer, a watcher or a swap party does before acting. The node's
// view is what counts, so an eclipsed or delayed node acts late (time dilation).

#include <cstdint>
#include <functional>
#include <vector>

#include "interconnect/common/chain_ledger.hpp"

namespace dltsim {

/// Confirmation waits at one node.
class ConfirmationWatcher {
 public:
  /// Watches `node` of `ledger` (both outlive the watcher; the watcher must not move once started).
  ConfirmationWatcher(const ChainLedger& ledger, NodeId node) : ledger_(ledger), node_(node) {}
  ConfirmationWatcher(const ConfirmationWatcher&) = delete;
  ConfirmationWatcher& operator=(const ConfirmationWatcher&) = delete;
  /// Registers with the ledger's transaction layer (before the run).
  void start();
  /// Calls done(now_s) once tx is `depth` (>= 1) blocks deep in the node's chain.
  void watch(TxId tx, std::uint32_t depth, std::function<void(double)> done);
  /// The node watched.
  NodeId node() const { return node_; }

 private:
  struct Wait {
    TxId tx;
    std::uint32_t depth;
    BlockId hint;
    std::function<void(double)> done;
  };
  void on_head(BlockId head, double now_s);
  const ChainLedger& ledger_;
  NodeId node_;
  std::vector<Wait> waits_;
};

}  // namespace dltsim
