#pragma once
// What every BFT run records: the decisions of every replica (table `decisions`), a safety monitor
// (two honest replicas committing different values at the same height: table `safety_violations`,
// both records), commit latency from submission to the first honest commit and to the last honest
// replica's, throughput, the longest interval without a decision, view changes, and messages and
// bytes per decision by message type.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "protocols/bft/bft_types.hpp"
#include "sim/core/ids.hpp"
#include "sim/metrics/log_histogram.hpp"
#include "sim/metrics/recorder.hpp"

namespace dltsim::bft {

/// Table names the BFT protocols record.
std::vector<std::string> bft_table_names();

/// Records the results of one BFT run.
class BftMetrics {
 public:
  /// n replicas; `honest[i]` is filled by the attacks before the run starts.
  BftMetrics(Recorder& recorder, std::uint32_t n);
  /// Marks a replica faulty (an attack controls it): its commits are recorded, not judged.
  void set_faulty(NodeId replica) { honest_[replica] = false; }
  /// True unless an attack controls the replica.
  bool honest(NodeId replica) const { return honest_[replica]; }
  /// A client submitted transaction `tx` at time now_s.
  void on_submitted(TxId tx, double now_s);
  /// A replica committed `batch` as the value of `height` in view (or round) `view`. Returns true if
  /// this is the height's first commit by an honest replica (a new decision).
  bool on_commit(NodeId replica, std::uint64_t height, const BatchPtr& batch, std::uint64_t view,
                 double now_s);
  /// Called after every commit by an honest replica: the replica, the height, the time, and whether
  /// it was the height's first honest commit (a new decision). For what measures consensus over a
  /// window of its own (a partition's effect).
  using CommitListener =
      std::function<void(NodeId replica, std::uint64_t height, double now_s, bool decision)>;
  /// Adds a listener (before the run starts).
  void add_commit_listener(CommitListener listener) { listeners_.push_back(std::move(listener)); }
  /// An honest replica entered `view` because the previous one failed (timeout, view change).
  void on_view_change(NodeId replica, std::uint64_t view);
  /// A replica sent a message of the named type (bytes counted once per recipient).
  void on_sent(std::size_t type, std::uint64_t bytes);
  /// Decisions (heights with an honest commit) so far.
  std::uint64_t decisions() const { return decisions_; }
  /// True if the transaction is in a decided batch.
  bool committed(TxId tx) const { return tx < tx_committed_.size() && tx_committed_[tx]; }
  /// Writes the summary; type_names name the message type indexes of on_sent.
  void finish(Summary& summary, double end_time_s, const std::vector<std::string>& type_names);

 private:
  struct Height {
    BatchPtr value;  // the first honest commit's value
    NodeId first_replica = kNoNode;
    double first_s = 0;  // first honest commit
    double last_s = 0;   // latest honest commit of that value
    std::uint32_t honest_commits = 0;
    std::uint64_t view = 0;
  };
  // The safety monitor and decision bookkeeping of on_commit for an honest replica.
  bool record_honest_commit(NodeId replica, std::uint64_t height, const BatchPtr& batch, std::uint64_t view,
                            double now_s);
  Recorder& recorder_;
  std::vector<bool> honest_;
  std::vector<double> submitted_s_;  // by transaction
  std::vector<bool> tx_committed_;   // in a decided batch
  std::vector<bool> tx_submitted_;   // submitted by a client (ids need not be dense)
  std::uint64_t submitted_ = 0;
  std::vector<Height> heights_;
  std::uint64_t decisions_ = 0;
  std::uint64_t violations_ = 0;
  std::vector<std::uint64_t> failed_views_;  // distinct views entered by a view change
  std::vector<std::uint64_t> sent_;          // by message type
  std::vector<std::uint64_t> sent_bytes_;
  TableWriter* decisions_table_;
  TableWriter* violations_table_;
  std::vector<CommitListener> listeners_;
};

}  // namespace dltsim::bft
