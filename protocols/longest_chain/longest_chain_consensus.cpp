#include "protocols/longest_chain/longest_chain_consensus.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <boost/random/bernoulli_distribution.hpp>

#include "protocols/longest_chain/chain_node.hpp"
#include "protocols/longest_chain/tx_relay.hpp"
#include "sim/core/error.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim::longest_chain {

namespace {

BlockTree with_subtrees(bool track) {
  BlockTree tree;
  if (track) tree.track_subtrees();
  return tree;
}

struct RewardRow {
  std::uint32_t node;
  double block_reward;
  double nephew_reward;
  double uncle_reward;
  double total;
  std::uint32_t blocks_main;
  std::uint32_t uncles;
};

TableSchema reward_schema() {
  return {"rewards",
          "Rewards per node from the main chain, in block rewards (consensus.params.max_uncles > 0)",
          sizeof(RewardRow),
          {DLTSIM_COLUMN(RewardRow, node, "", "node"),
           DLTSIM_COLUMN(RewardRow, block_reward, "", "block rewards of its main-chain blocks"),
           DLTSIM_COLUMN(RewardRow, nephew_reward, "", "for the uncles its main-chain blocks reference"),
           DLTSIM_COLUMN(RewardRow, uncle_reward, "", "for its stale blocks referenced as uncles"),
           DLTSIM_COLUMN(RewardRow, total, "", "all three"),
           DLTSIM_COLUMN(RewardRow, blocks_main, "blocks", "its main-chain blocks"),
           DLTSIM_COLUMN(RewardRow, uncles, "blocks", "its blocks referenced as uncles")}};
}

}  // namespace

LongestChainConsensus::LongestChainConsensus(const ProtocolSetup& setup, const Config& config,
                                             std::unique_ptr<BlockProduction> production)
    : config_(config),
      production_(std::move(production)),
      recorder_(setup.recorder),
      seeds_(setup.seeds),
      power_shares_(setup.power_shares),
      tree_(with_subtrees(config_.fork_choice == ForkChoice::ghost)),
      metrics_(setup.recorder, tree_, power_shares_, config_.fork_choice) {
  metrics_.record_settlement(config_.settlement_depth);
  config_.tie_rule.seed = setup.seeds.child("tiebreak").seed();
  types_.inv = setup.message_types.add("inv");
  types_.getdata = setup.message_types.add("getdata");
  types_.block = setup.message_types.add("block");
  types_.cmpctblock = setup.message_types.add("cmpctblock");
  types_.getblocktxn = setup.message_types.add("getblocktxn");
  types_.blocktxn = setup.message_types.add("blocktxn");
  // Only runs with high-bandwidth relay have this message (others keep their tables as they were).
  types_.sendcmpct = config_.high_bandwidth_peers > 0 ? setup.message_types.add("sendcmpct") : kNoMessageType;
  if (setup.transactions != nullptr) {
    // Registered only with transactions, so that runs without keep their message tables as they were.
    types_.tx_inv = setup.message_types.add("tx_inv");
    types_.tx_getdata = setup.message_types.add("tx_getdata");
    types_.tx = setup.message_types.add("tx");
    if (setup.transactions->stem.enabled) types_.tx_stem = setup.message_types.add("tx_stem");
    tx_ = std::make_unique<TransactionLayer>(*setup.transactions, setup.node_count, setup.recorder,
                                             setup.seeds.child("transactions"));
  }
  Rng rng = setup.seeds.child("compact_support").rng();
  boost::random::bernoulli_distribution<> supports(config_.compact_usage);
  compact_.resize(setup.node_count);
  for (NodeId i = 0; i < setup.node_count; ++i) compact_[i] = config_.compact_blocks && supports(rng);
}

std::unique_ptr<Protocol> LongestChainConsensus::make_node(NodeId id) {
  return std::make_unique<ChainNode>(*this, id);
}

const PayloadPtr& LongestChainConsensus::ref(BlockId b) {
  if (b >= refs_.size()) refs_.resize(std::max<std::size_t>(b + 1, refs_.size() * 2));
  if (!refs_[b]) refs_[b] = std::make_shared<const BlockRef>(b);
  return refs_[b];
}

const PayloadPtr& LongestChainConsensus::tx_ref(TxId tx) {
  if (tx >= tx_refs_.size()) tx_refs_.resize(std::max<std::size_t>(tx + 1, tx_refs_.size() * 2));
  if (!tx_refs_[tx]) tx_refs_[tx] = std::make_shared<const TxRef>(tx);
  return tx_refs_[tx];
}

void LongestChainConsensus::on_start(Runtime& runtime) {
  if (!tx_) return;
  schedule_wallet(runtime, tx_->workload().next_gap_s());
  schedule_scripted(runtime);
  if (tx_->spec().sample_nodes > 0) schedule_sample(runtime, 0);
}

void LongestChainConsensus::deliver(Runtime& runtime, NodeId node, TxId tx) {
  // Nodes an attack replaced with another behaviour have no wallet relay: the transaction stays unsent.
  if (auto* n = dynamic_cast<ChainNode*>(&runtime.protocol(node)); n != nullptr && runtime.online(node))
    n->on_wallet(runtime.context(node), tx);
}

void LongestChainConsensus::schedule_wallet(Runtime& runtime, double at_s) {
  if (!std::isfinite(at_s)) return;
  runtime.call_at(at_s, [this, &runtime, at_s] {
    // Wallets stop with block production; the drain only delivers what is under way.
    if (!runtime.producing()) return;
    TxWorkload& w = tx_->workload();
    const NodeId origin = w.next_origin();
    const std::uint32_t size = w.next_size_bytes();
    const double fee = w.next_fee_rate_sat_vb();
    const TxId tx = tx_->create(origin, at_s, size, fee);
    double delay_s = 0;
    const NodeId proxy = w.next_proxy(origin, delay_s);
    if (proxy == kNoNode) {
      deliver(runtime, origin, tx);
    } else {
      // Sent through another node (as over Tor): that node's relay treats it as its own.
      runtime.call_at(at_s + delay_s, [this, &runtime, proxy, tx] { deliver(runtime, proxy, tx); });
    }
    schedule_wallet(runtime, at_s + w.next_gap_s());
  });
}

void LongestChainConsensus::schedule_scripted(Runtime& runtime) {
  const std::vector<ScriptedTx>& scripted = tx_->spec().scripted;
  auto ids = std::make_shared<std::vector<TxId>>(scripted.size(), kNoTx);
  for (std::size_t i = 0; i < scripted.size(); ++i) {
    runtime.call_at(scripted[i].time_s, [this, &runtime, &scripted, ids, i] {
      const ScriptedTx& s = scripted[i];
      TxId conflict = kNoTx;
      for (std::size_t j = 0; j < scripted.size(); ++j) {
        if (scripted[j].name == s.conflicts)
          conflict = (*ids)[j];  // kNoTx until it exists; it links back then
      }
      const TxId id = tx_->create(s.node, runtime.now_s(), static_cast<std::uint32_t>(s.size_bytes),
                                  s.fee_rate_sat_vb, conflict);
      (*ids)[i] = id;
      for (std::size_t j = 0; j < scripted.size(); ++j) {
        if (scripted[j].conflicts == s.name && (*ids)[j] != kNoTx && conflict == kNoTx) {
          tx_->table().get(id).conflict = (*ids)[j];
          tx_->table().get((*ids)[j]).conflict = id;
        }
      }
      deliver(runtime, s.node, id);
    });
  }
}

void LongestChainConsensus::schedule_sample(Runtime& runtime, double at_s) {
  runtime.call_at(at_s, [this, &runtime, at_s] {
    tx_->sample(at_s);
    if (runtime.producing()) schedule_sample(runtime, at_s + tx_->spec().sample_interval_s);
  });
}

void LongestChainConsensus::finish(Summary& summary, double /*end_time_s*/) {
  metrics_.finish(summary);
  if (uncles()) record_rewards(summary);
  if (tx_) tx_->finish(summary, tree_, main_chain());
}

std::vector<BlockId> LongestChainConsensus::main_chain() {
  std::vector<BlockId> chain;
  for (BlockId b = metrics_.main_head(); b != 0; b = tree_.get(b).parent) chain.push_back(b);
  std::reverse(chain.begin(), chain.end());
  return chain;
}

void LongestChainConsensus::record_rewards(Summary& summary) {
  std::vector<RewardRow> rows(power_shares_.size(), RewardRow{});
  std::uint64_t uncles = 0, main = 0;
  double distance_sum = 0, uncle_paid = 0, total = 0;
  for_each_reward(tree_, metrics_.main_head(), reward_rules(), [&](const Reward& r) {
    RewardRow& row = rows[r.node];
    row.total += r.amount;
    total += r.amount;
    switch (r.kind) {
      case RewardKind::block:
        row.block_reward += r.amount;
        ++row.blocks_main;
        ++main;
        break;
      case RewardKind::nephew:
        row.nephew_reward += r.amount;
        break;
      case RewardKind::uncle:
        row.uncle_reward += r.amount;
        ++row.uncles;
        ++uncles;
        distance_sum += r.distance;
        uncle_paid += r.amount;
        break;
    }
  });
  if (TableWriter* t = recorder_.table(reward_schema())) {
    for (NodeId i = 0; i < rows.size(); ++i) {
      if (rows[i].total == 0) continue;
      rows[i].node = i;
      t->append(&rows[i]);
    }
  }
  const std::uint64_t stale = tree_.size() - 1 - main;
  summary.set("uncles", static_cast<std::int64_t>(uncles), "blocks",
              "stale blocks referenced as uncles by the main chain");
  summary.set_number("uncle_rate", main > 0 ? static_cast<double>(uncles) / main : std::nan(""), "",
                     "uncles per main-chain block", "no main-chain block");
  summary.set_number("uncle_share_of_stale", stale > 0 ? static_cast<double>(uncles) / stale : std::nan(""),
                     "", "share of the stale blocks that were referenced as uncles", "no stale block");
  summary.mark_proportions({"uncle_share_of_stale"});
  summary.set_number("uncle_distance_mean", uncles > 0 ? distance_sum / uncles : std::nan(""), "blocks",
                     "mean height difference between an uncle and the block referencing it", "no uncle");
  summary.set("reward_total", total, "", "rewards paid by the main chain, in block rewards");
  summary.set_number("reward_uncle_share", total > 0 ? uncle_paid / total : std::nan(""), "",
                     "share of the rewards paid to uncles", "no reward");
}

LongestChainConsensus& require(Consensus& consensus, const std::string& attack) {
  auto* c = dynamic_cast<LongestChainConsensus*>(&consensus);
  if (c == nullptr)
    throw Error(fmt::format("attack '{}' needs a protocol of the {} family", attack, kFamily));
  return *c;
}

}  // namespace dltsim::longest_chain
