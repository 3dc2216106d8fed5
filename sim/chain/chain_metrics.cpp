#include "sim/chain/chain_metrics.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace dltsim {

namespace {

struct BlockRow {
  std::uint32_t id;
  std::uint32_t parent;
  std::uint32_t height;
  std::uint32_t miner;
  double time_s;
  std::uint32_t size_bytes;
  std::uint8_t on_main_chain;
  std::uint32_t arrivals;
  double reach50_s;
  double reach90_s;
  double reach100_s;
};

struct ArrivalRow {
  std::uint32_t block;
  std::uint32_t node;
  double time_s;
  double delay_s;
  std::uint8_t late;
};

struct ReorgRow {
  std::uint32_t node;
  std::uint32_t depth;
  double time_s;
  std::uint32_t old_head;
  std::uint32_t new_head;
};

struct ReorgDepthRow {
  std::uint32_t depth;
  std::uint64_t count;
};

struct SettlementRow {
  std::uint32_t node;
  double time_s;
  std::uint32_t depth;
  std::uint32_t old_head;
  std::uint32_t new_head;
};

struct MinerRow {
  std::uint32_t node;
  double power_share;
  std::uint32_t blocks_produced;
  std::uint32_t blocks_main;
};

TableSchema blocks_schema() {
  return {"blocks",
          "Every block produced (genesis excluded)",
          sizeof(BlockRow),
          {DLTSIM_COLUMN(BlockRow, id, "", "block id"),
           DLTSIM_COLUMN(BlockRow, parent, "", "parent block id (0 = genesis)"),
           DLTSIM_COLUMN(BlockRow, height, "", "height (genesis = 0)"),
           DLTSIM_COLUMN(BlockRow, miner, "", "node that produced (mined) it"),
           DLTSIM_COLUMN(BlockRow, time_s, "s", "production time"),
           DLTSIM_COLUMN(BlockRow, size_bytes, "bytes", "full block size"),
           DLTSIM_COLUMN(BlockRow, on_main_chain, "", "1 if on the main chain at the end of the run"),
           DLTSIM_COLUMN(BlockRow, arrivals, "", "nodes that had the block at the end (producer included)"),
           DLTSIM_COLUMN(BlockRow, reach50_s, "s",
                         "time from production until 50 % of nodes had it (NaN: never)"),
           DLTSIM_COLUMN(BlockRow, reach90_s, "s", "time until 90 % of nodes had it (NaN: never)"),
           DLTSIM_COLUMN(BlockRow, reach100_s, "s", "time until every node had it (NaN: never)")}};
}

TableSchema arrivals_schema() {
  return {"arrivals",
          "Block arrivals: when each node accepted each block (the block's miner excluded)",
          sizeof(ArrivalRow),
          {DLTSIM_COLUMN(ArrivalRow, block, "", "block id"),
           DLTSIM_COLUMN(ArrivalRow, node, "", "receiving node"),
           DLTSIM_COLUMN(ArrivalRow, time_s, "s", "arrival time"),
           DLTSIM_COLUMN(ArrivalRow, delay_s, "s", "arrival time minus production time"),
           DLTSIM_COLUMN(ArrivalRow, late, "",
                         "1: fetched only as the parent of a later block (a fork the node had not followed "
                         "won); not counted as propagation")}};
}

TableSchema reorgs_schema() {
  return {
      "reorgs",
      "Head switches that abandoned blocks (depth >= 1)",
      sizeof(ReorgRow),
      {DLTSIM_COLUMN(ReorgRow, node, "", "node that switched"),
       DLTSIM_COLUMN(ReorgRow, depth, "blocks", "blocks of the old chain abandoned"),
       DLTSIM_COLUMN(ReorgRow, time_s, "s", "when"), DLTSIM_COLUMN(ReorgRow, old_head, "", "previous head"),
       DLTSIM_COLUMN(ReorgRow, new_head, "", "new head")}};
}

TableSchema reorg_depths_schema() {
  return {"reorg_depths",
          "Distribution of reorg depths over all nodes",
          sizeof(ReorgDepthRow),
          {DLTSIM_COLUMN(ReorgDepthRow, depth, "blocks", "blocks abandoned by a head switch"),
           DLTSIM_COLUMN(ReorgDepthRow, count, "", "head switches of that depth, all nodes")}};
}

TableSchema settlement_schema() {
  return {"settlement_failures",
          "Reorgs deeper than the settlement depth k at nodes no attack controls: a block with k blocks "
          "on top of it was abandoned (a common-prefix violation)",
          sizeof(SettlementRow),
          {DLTSIM_COLUMN(SettlementRow, node, "", "node whose settled block was abandoned"),
           DLTSIM_COLUMN(SettlementRow, time_s, "s", "when"),
           DLTSIM_COLUMN(SettlementRow, depth, "blocks", "blocks abandoned (more than k)"),
           DLTSIM_COLUMN(SettlementRow, old_head, "", "head before"),
           DLTSIM_COLUMN(SettlementRow, new_head, "", "head after")}};
}

TableSchema miners_schema() {
  return {"miners",
          "Blocks per miner against its share of hashrate (or stake): every node with power or blocks",
          sizeof(MinerRow),
          {DLTSIM_COLUMN(MinerRow, node, "", "node"),
           DLTSIM_COLUMN(MinerRow, power_share, "", "share of hashrate (or stake)"),
           DLTSIM_COLUMN(MinerRow, blocks_produced, "blocks", "blocks it produced"),
           DLTSIM_COLUMN(MinerRow, blocks_main, "blocks", "of those, on the main chain")}};
}

constexpr float kNever = std::numeric_limits<float>::quiet_NaN();

}  // namespace

std::vector<std::string> chain_table_names() {
  return {"blocks", "arrivals", "reorgs", "reorg_depths", "miners"};
}

ChainMetrics::ChainMetrics(Recorder& recorder, const BlockTree& tree, const std::vector<double>& power_shares,
                           ForkChoice rule)
    : recorder_(recorder),
      tree_(tree),
      power_shares_(power_shares),
      rule_(rule),
      blocks_table_(recorder.table(blocks_schema())),
      arrivals_table_(recorder.table(arrivals_schema())),
      reorgs_table_(recorder.table(reorgs_schema())),
      miners_table_(recorder.table(miners_schema())) {}

void ChainMetrics::grow(BlockId block) {
  if (block < arrivals_per_block_.size()) return;
  const std::size_t n = std::max<std::size_t>(block + 1, arrivals_per_block_.size() * 2);
  arrivals_per_block_.resize(n, 0);
  holders_.resize(n, 0);
  held_by_all_s_.resize(n, kNoReach);
  for (auto& r : reach_s_) r.resize(n, kNever);
}

void ChainMetrics::on_arrival(BlockId block, NodeId node, double now_s, bool late) {
  grow(block);
  const Block& b = tree_.get(block);
  const double delay_s = now_s - b.time_s;
  if (++holders_[block] == power_shares_.size()) held_by_all_s_[block] = now_s;
  if (late) {
    late_.add(delay_s);
    Recorder::append(arrivals_table_, ArrivalRow{block, node, now_s, delay_s, 1});
    return;
  }
  const std::uint32_t count = ++arrivals_per_block_[block];
  const double n = static_cast<double>(power_shares_.size());
  const double fractions[3] = {0.5, 0.9, 1.0};
  for (int i = 0; i < 3; ++i) {
    if (std::isnan(reach_s_[i][block]) && count >= std::ceil(fractions[i] * n)) {
      reach_s_[i][block] = static_cast<float>(delay_s);
    }
  }
  if (node == b.producer) return;
  propagation_.add(delay_s);
  Recorder::append(arrivals_table_, ArrivalRow{block, node, now_s, delay_s, 0});
}

void ChainMetrics::record_settlement(std::uint32_t k) {
  settlement_k_ = k;
  if (k > 0) settlement_table_ = recorder_.table(settlement_schema());
}

void ChainMetrics::mark_adversarial(NodeId node) {
  if (node >= adversarial_.size()) adversarial_.resize(node + 1, false);
  adversarial_[node] = true;
}

void ChainMetrics::on_reorg(NodeId node, double now_s, BlockId old_head, BlockId new_head,
                            std::uint32_t depth) {
  if (depth == 0) return;
  if (settlement_k_ > 0 && depth > settlement_k_ && !(node < adversarial_.size() && adversarial_[node])) {
    if (settlement_failures_++ == 0) first_failure_s_ = now_s;
    max_failure_depth_ = std::max(max_failure_depth_, depth);
    Recorder::append(settlement_table_, SettlementRow{node, now_s, depth, old_head, new_head});
  }
  ++reorgs_;
  max_reorg_depth_ = std::max(max_reorg_depth_, depth);
  if (depth >= reorg_depth_counts_.size()) reorg_depth_counts_.resize(depth + 1, 0);
  ++reorg_depth_counts_[depth];
  Recorder::append(reorgs_table_, ReorgRow{node, depth, now_s, old_head, new_head});
}

BlockId ChainMetrics::main_head() const {
  if (rule_ == ForkChoice::ghost) return ghost_head(tree_);
  BlockId best = 0;
  for (BlockId b = 1; b < tree_.size(); ++b) {
    if (tree_.chain_weight(b) > tree_.chain_weight(best)) best = b;
  }
  return best;
}

void ChainMetrics::finish(Summary& summary) {
  const BlockId head = main_head();
  const std::vector<bool> main = tree_.chain_flags(head);
  const std::uint32_t produced = tree_.size() - 1;
  std::uint32_t on_main = 0, adversarial = 0, stale_adversarial = 0;
  std::vector<std::uint32_t> per_node(power_shares_.size(), 0), per_node_main(power_shares_.size(), 0);
  double reach90_sum = 0;
  std::uint32_t reach90_count = 0;
  grow(tree_.size());
  for (BlockId id = 1; id < tree_.size(); ++id) {
    const Block& b = tree_.get(id);
    on_main += main[id] ? 1 : 0;
    adversarial += b.adversarial ? 1 : 0;
    stale_adversarial += (b.adversarial && !main[id]) ? 1 : 0;
    if (b.producer < per_node.size()) {
      ++per_node[b.producer];
      per_node_main[b.producer] += main[id] ? 1 : 0;
    }
    if (!std::isnan(reach_s_[1][id])) {
      reach90_sum += reach_s_[1][id];
      ++reach90_count;
    }
    BlockRow row{};
    row.id = id;
    row.parent = b.parent;
    row.height = b.height;
    row.miner = b.producer;
    row.time_s = b.time_s;
    row.size_bytes = b.size_bytes;
    row.on_main_chain = main[id] ? 1 : 0;
    row.arrivals = arrivals_per_block_[id];
    row.reach50_s = reach_s_[0][id];
    row.reach90_s = reach_s_[1][id];
    row.reach100_s = reach_s_[2][id];
    Recorder::append(blocks_table_, row);
  }
  // Blocks per miner against hashrate share: Pearson's chi-square over the miners expected to find
  // at least 5 blocks (the rest pooled in one bin), and the largest deviation in binomial standard
  // deviations. Under honest mining the chi-square is about its degrees of freedom.
  double chi2 = 0, max_z = 0, rest_expected = 0, rest_observed = 0;
  std::int64_t bins = 0, z_bins = 0;
  for (NodeId i = 0; i < power_shares_.size(); ++i) {
    if (power_shares_[i] > 0 || per_node[i] > 0) {
      Recorder::append(miners_table_, MinerRow{i, power_shares_[i], per_node[i], per_node_main[i]});
    }
    const double expected = produced * power_shares_[i];
    if (expected >= 5) {
      chi2 += (per_node[i] - expected) * (per_node[i] - expected) / expected;
      if (power_shares_[i] < 1) {
        max_z =
            std::max(max_z, std::fabs(per_node[i] - expected) / std::sqrt(expected * (1 - power_shares_[i])));
        ++z_bins;
      }
      ++bins;
    } else {
      rest_expected += expected;
      rest_observed += per_node[i];
    }
  }
  if (rest_expected > 0) {
    chi2 += (rest_observed - rest_expected) * (rest_observed - rest_expected) / rest_expected;
    ++bins;
  }
  const std::string chi2_doc =
      "Pearson chi-square of blocks per miner against hashrate share (miners expected to find at least 5 "
      "blocks, the rest pooled); about its degrees of freedom under honest mining";
  if (bins >= 2) {
    summary.set("mining_share_chi2", chi2, "", chi2_doc);
  } else {
    summary.set_undefined("mining_share_chi2",
                          "fewer than two bins with at least 5 expected blocks: nothing to test", "",
                          chi2_doc);
  }
  summary.set("mining_share_chi2_dof", std::max<std::int64_t>(0, bins - 1), "", "degrees of freedom of it");
  const std::string z_doc =
      "largest deviation of a miner's block count from its share, in binomial standard deviations";
  if (z_bins > 0) {
    summary.set("mining_share_max_z", max_z, "", z_doc);
  } else {
    summary.set_undefined("mining_share_max_z", "no miner expected to find at least 5 blocks", "", z_doc);
  }
  const std::uint32_t honest = produced - adversarial;
  const std::uint32_t stale = produced - on_main;
  summary.set("blocks_produced", static_cast<std::int64_t>(produced), "blocks",
              "blocks produced (genesis excluded)");
  summary.set("blocks_main", static_cast<std::int64_t>(on_main), "blocks",
              "of those, on the main chain at the end");
  summary.set("blocks_stale", static_cast<std::int64_t>(stale), "blocks",
              "produced but not on the main chain");
  summary.set("blocks_stale_honest", static_cast<std::int64_t>(stale - stale_adversarial), "blocks",
              "stale blocks mined by honest nodes: orphans of propagation races and of attacks");
  summary.set("blocks_stale_adversarial", static_cast<std::int64_t>(stale_adversarial), "blocks",
              "stale blocks mined by an attack and abandoned by it (private chains that lost)");
  const std::string stale_doc = "stale blocks / blocks produced, honest and adversarial together";
  const std::string honest_doc =
      "honest stale blocks / honest blocks produced: the honest network's orphan rate";
  if (produced > 0) {
    summary.set("stale_rate", static_cast<double>(stale) / produced, "", stale_doc);
  } else {
    summary.set_undefined("stale_rate", "no block was produced", "", stale_doc);
  }
  if (honest > 0) {
    summary.set("stale_rate_honest", static_cast<double>(stale - stale_adversarial) / honest, "", honest_doc);
  } else {
    summary.set_undefined("stale_rate_honest", "no honest block was produced", "", honest_doc);
  }
  summary.mark_proportions({"stale_rate", "stale_rate_honest"});
  summary.set("main_chain_height", static_cast<std::int64_t>(tree_.get(head).height), "blocks",
              "height of the main chain's head");
  summary.set("arrivals", static_cast<std::int64_t>(propagation_.count()), "",
              "block arrivals at nodes other than the producer, late fetches excluded");
  const std::pair<int, double> quantiles[] = {{10, 0.10}, {50, 0.50}, {90, 0.90}, {100, 1.0}};
  const std::string why_none = "no block reached another node";
  if (propagation_.count() > 0) {
    summary.set("propagation_mean_s", propagation_.mean(), "s",
                "mean delay from production to arrival at a node (late fetches excluded)");
  } else {
    summary.set_undefined("propagation_mean_s", why_none, "s",
                          "mean delay from production to arrival at a node");
  }
  for (const auto& [percent, q] : quantiles) {
    const std::string doc = fmt::format(
        "{} % of block arrivals came within this delay of production (late "
        "fetches excluded)",
        percent);
    const std::string name = fmt::format("propagation_p{}_s", percent);
    if (propagation_.count() > 0) {
      summary.set(name, propagation_.quantile(q), "s", doc);
    } else {
      summary.set_undefined(name, why_none, "s", doc);
    }
  }
  summary.set("late_arrivals", static_cast<std::int64_t>(late_.count()), "",
              "arrivals of blocks a node fetched only as the parent of a later block (after its fork won)");
  const std::string late_doc = "longest delay of those late fetches";
  if (late_.count() > 0) {
    summary.set("late_arrival_max_s", late_.max(), "s", late_doc);
  } else {
    summary.set_undefined("late_arrival_max_s", "no late fetch", "s", late_doc);
  }
  const std::string reach_doc = "mean time for a block to reach 90 % of the nodes (blocks that did)";
  if (reach90_count > 0) {
    summary.set("block_reach90_mean_s", reach90_sum / reach90_count, "s", reach_doc);
  } else {
    summary.set_undefined("block_reach90_mean_s", "no block reached 90 % of the nodes", "s", reach_doc);
  }
  summary.set("reorgs", static_cast<std::int64_t>(reorgs_), "",
              "head switches that abandoned blocks, all nodes");
  summary.set("reorg_depth_max", static_cast<std::int64_t>(max_reorg_depth_), "blocks", "deepest of them");
  double depth_sum = 0;
  TableWriter* depths = recorder_.table(reorg_depths_schema());
  for (std::uint32_t d = 1; d < reorg_depth_counts_.size(); ++d) {
    depth_sum += static_cast<double>(d) * static_cast<double>(reorg_depth_counts_[d]);
    if (reorg_depth_counts_[d] > 0) Recorder::append(depths, ReorgDepthRow{d, reorg_depth_counts_[d]});
  }
  if (settlement_k_ > 0) {
    summary.set("settlement_depth", static_cast<std::int64_t>(settlement_k_), "blocks",
                "k: a block with k blocks on top is settled");
    summary.set("settlement_failures", static_cast<std::int64_t>(settlement_failures_), "",
                "reorgs deeper than k at nodes no attack controls (table settlement_failures)");
    summary.set_number("settlement_first_failure_s", first_failure_s_, "s", "when the first one happened",
                       "no settlement failure");
    summary.set("settlement_failure_depth_max", static_cast<std::int64_t>(max_failure_depth_), "blocks",
                "deepest of them (0: none)");
  }
  const std::string depth_doc = "mean depth of the reorgs";
  if (reorgs_ > 0) {
    summary.set("reorg_depth_mean", depth_sum / static_cast<double>(reorgs_), "blocks", depth_doc);
  } else {
    summary.set_undefined("reorg_depth_mean", "no reorg", "blocks", depth_doc);
  }
}

}  // namespace dltsim
