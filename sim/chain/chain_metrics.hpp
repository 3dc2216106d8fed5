#pragma once
// Results every chain-based protocol records: blocks (with main-chain flag and how fast each
// reached 50/90/100 % of nodes), block arrivals per node, reorgs, blocks per miner, and the
// summary (stale rate, per-node propagation percentiles).

#include <cstdint>
#include <limits>
#include <vector>

#include "sim/chain/block_tree.hpp"
#include "sim/chain/chain_view.hpp"
#include "sim/metrics/log_histogram.hpp"
#include "sim/metrics/recorder.hpp"

namespace dltsim {

/// Names of the tables ChainMetrics can record (for a protocol's registry entry).
std::vector<std::string> chain_table_names();

/// Records chain results of one run.
class ChainMetrics {
 public:
  /// Declares the chain tables on the recorder; the main chain is the one `rule` chooses over all blocks.
  ChainMetrics(Recorder& recorder, const BlockTree& tree, const std::vector<double>& power_shares,
               ForkChoice rule = ForkChoice::longest);
  /// A node received (and accepted) a block at now_s. `late`: the node fetched it only because a
  /// later block needed it as parent (a fork it had not followed won), so its delay is not
  /// propagation: it is reported apart and left out of propagation statistics and reach times.
  void on_arrival(BlockId block, NodeId node, double now_s, bool late = false);
  /// From now on a reorg deeper than k blocks at a node no attack controls is a settlement failure
  /// (table settlement_failures, summary settlement_failures*); k = 0: not recorded.
  void record_settlement(std::uint32_t k);
  /// `node` is controlled by an attack: its reorgs are no settlement failure.
  void mark_adversarial(NodeId node);
  /// A node switched heads, abandoning depth blocks.
  void on_reorg(NodeId node, double now_s, BlockId old_head, BlockId new_head, std::uint32_t depth);
  /// The main chain's head: the heaviest block (GHOST: the heaviest subtree at each fork), the
  /// earliest produced among equals.
  BlockId main_head() const;
  /// When every node had the block, late fetches included (a fork that won); NaN if some never did.
  double held_by_all_s(BlockId block) const {
    return block < held_by_all_s_.size() ? held_by_all_s_[block] : kNoReach;
  }
  /// Writes blocks and miners tables and the chain summary.
  void finish(Summary& summary);

 private:
  static constexpr double kNoReach = std::numeric_limits<double>::quiet_NaN();
  void grow(BlockId block);
  Recorder& recorder_;
  const BlockTree& tree_;
  const std::vector<double>& power_shares_;
  ForkChoice rule_;
  TableWriter* blocks_table_;
  TableWriter* arrivals_table_;
  TableWriter* reorgs_table_;
  TableWriter* miners_table_;
  LogHistogram propagation_;
  LogHistogram late_;  // delays of late fetches
  std::vector<std::uint32_t> arrivals_per_block_;
  std::vector<std::uint32_t> holders_;  // nodes that have the block, late fetches included
  std::vector<double> held_by_all_s_;
  std::vector<float> reach_s_[3];  // time to reach 50 %, 90 %, 100 % of nodes
  std::uint64_t reorgs_ = 0;
  std::uint32_t max_reorg_depth_ = 0;
  std::vector<std::uint64_t> reorg_depth_counts_;  // by depth
  std::uint32_t settlement_k_ = 0;
  TableWriter* settlement_table_ = nullptr;
  std::vector<bool> adversarial_;
  std::uint64_t settlement_failures_ = 0;
  double first_failure_s_ = std::numeric_limits<double>::quiet_NaN();
  std::uint32_t max_failure_depth_ = 0;
};

}  // namespace dltsim
