// Censorship by a pool: from start to end the blocks the attack's nodes mine leave out every
// transaction created by the victims' wallets (nodes victim .. victim + victims - 1); honest miners
// include them. With a pool of hashrate share a and room in every block, a victim's transaction
// waits a geometric number of main-chain blocks, P(k) = a^(k-1) (1 - a), mean 1 / (1 - a)
// (tests/validation/test_tx_attacks.py), against one block for everyone else.
//
// Stratum V2's job declaration is the pool-side defence: a share `declared` of the pool's hashrate
// builds its own block templates, which the pool cannot filter. A block is declared with that
// probability, drawn per (node, block time) from the attack's seed, so the censoring share becomes
// a (1 - declared) and the mean delay 1 / (1 - a (1 - declared)).
//
// Results: the victims' transactions and their delay in main-chain blocks and seconds, against the
// other transactions', and the pool's share with the geometric law's mean for comparison.

#include <cmath>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "attacks/transactions/tx_attack_common.hpp"
#include "protocols/longest_chain/chain_node.hpp"
#include "sim/adversary/attack.hpp"
#include "sim/metrics/statistics.hpp"
#include "sim/metrics/summary.hpp"

namespace dltsim {

namespace {

class CensorshipAttack;

class CensoringNode final : public longest_chain::ChainNode {
 public:
  CensoringNode(longest_chain::LongestChainConsensus& consensus, NodeId id, const CensorshipAttack& attack)
      : ChainNode(consensus, id), miner_(id), attack_(attack) {}

 protected:
  bool leaves_out(TxId tx, double now_s) const override;

 private:
  NodeId miner_;
  const CensorshipAttack& attack_;
};

class CensorshipAttack final : public Attack {
 public:
  explicit CensorshipAttack(const AttackSetup& setup)
      : consensus_(attacks::require_transactions(setup.consensus, "censorship")),
        label_(setup.label),
        nodes_(setup.nodes),
        victim_(static_cast<NodeId>(setup.spec.params.integer("victim"))),
        victims_(static_cast<NodeId>(setup.spec.params.integer("victims"))),
        declared_share_(setup.spec.params.number("declared")),
        declared_seed_(setup.seeds.child("declared").seed()),
        start_s_(setup.spec.start_s),
        end_s_(setup.spec.end_s) {
    if (victim_ + victims_ > consensus_.node_count()) {
      throw Error(fmt::format("censorship: victims {} to {} are not all nodes of the network ({} nodes)",
                              victim_, victim_ + victims_ - 1, consensus_.node_count()));
    }
  }

  std::unique_ptr<Protocol> make_node(NodeId id, std::unique_ptr<Protocol> /*honest*/) override {
    return std::make_unique<CensoringNode>(consensus_, id, *this);
  }

  bool censors(TxId tx, NodeId miner, double now_s) const {
    if (now_s < start_s_ || now_s >= end_s_) return false;
    if (declared_share_ > 0) {
      std::uint64_t bits = 0;
      std::memcpy(&bits, &now_s, sizeof bits);
      const auto block = static_cast<std::uint32_t>(bits ^ (bits >> 32));
      if (pair_uniform(declared_seed_, miner, block) < declared_share_) return false;  // a declared template
    }
    const NodeId origin = consensus_.transactions()->table().get(tx).origin;
    return origin >= victim_ && origin < victim_ + victims_;
  }

  void finish(Summary& summary) override {
    const attacks::MainChainView view = attacks::main_chain_view(consensus_);
    const TxTable& table = consensus_.transactions()->table();
    std::vector<double> victim_blocks, victim_s, other_blocks, other_s;
    std::uint64_t victim_txs = 0, victim_unconfirmed = 0;
    for (TxId id = 0; id < table.size(); ++id) {
      const Transaction& tx = table.get(id);
      if (tx.created_s < start_s_ || tx.created_s >= end_s_) continue;
      const bool victim = tx.origin >= victim_ && tx.origin < victim_ + victims_;
      victim_txs += victim ? 1 : 0;
      const TxInclusion& in = view.inclusion[id];
      if (in.height == 0) {
        victim_unconfirmed += victim ? 1 : 0;
        continue;
      }
      const auto blocks = static_cast<double>(view.blocks_after(tx.created_s, in.height));
      (victim ? victim_blocks : other_blocks).push_back(blocks);
      (victim ? victim_s : other_s).push_back(in.time_s - tx.created_s);
    }
    double share = 0;
    for (const NodeId n : nodes_) share += consensus_.power_share(n);
    const std::string none = "no transaction of that kind was created in the window and confirmed";
    summary.set(key("pool_share"), share, "", "hashrate share of the censoring nodes (a)");
    summary.set(key("victim_transactions"), victim_txs, "", "transactions the victims created in the window");
    summary.set(key("victim_unconfirmed"), victim_unconfirmed, "", "of them, not confirmed by the end");
    const Estimate vb = sample_mean(victim_blocks), vs = sample_mean(victim_s),
                   ob = sample_mean(other_blocks), os = sample_mean(other_s);
    summary.set_number(key("victim_delay_blocks_mean"), vb.value, "blocks",
                       "main-chain blocks from a victim's transaction to the one holding it, mean", none);
    summary.set_number(key("victim_delay_blocks_se"), vb.standard_error, "blocks", "its standard error",
                       none);
    summary.set_number(key("victim_delay_mean_s"), vs.value, "s", "victims' confirmation delay, mean", none);
    summary.set_number(key("other_delay_blocks_mean"), ob.value, "blocks",
                       "the same for the other transactions", none);
    summary.set_number(key("other_delay_mean_s"), os.value, "s",
                       "other transactions' confirmation delay, mean", none);
    const double censoring = share * (1 - declared_share_);
    summary.set_number(key("theory_delay_blocks"), censoring < 1 ? 1 / (1 - censoring) : std::nan(""),
                       "blocks",
                       "1 / (1 - a (1 - declared)): the geometric law's mean when every block has room",
                       "the pool has all the hashrate and declares nothing");
    summary.mark_proportions({key("pool_share")});
  }

 private:
  std::string key(const char* name) const { return label_ + "_" + name; }
  longest_chain::LongestChainConsensus& consensus_;
  std::string label_;
  std::vector<NodeId> nodes_;
  NodeId victim_, victims_;
  double declared_share_;
  std::uint64_t declared_seed_;
  double start_s_, end_s_;
};

bool CensoringNode::leaves_out(TxId tx, double now_s) const {
  return attack_.censors(tx, miner_, now_s);
}

}  // namespace

void register_censorship(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "censorship";
  info.summary =
      "a pool's blocks leave out the victims' transactions; the victims' delay in blocks against the pool's "
      "share";
  info.params = {
      param::integer("victim", 0, between(0, 1e6),
                     "the first victim node: its wallet's transactions are censored"),
      param::integer("victims", 1, between(1, 1e6), "victim nodes: victim, victim + 1, ..."),
      param::probability(
          "declared", 0.0,
          "share of the pool's blocks whose template its miners build themselves (Stratum V2 job "
          "declaration), which the pool cannot filter"),
  };
  info.families = {longest_chain::kFamily};
  info.needs_transactions = true;
  info.check_network = [](const ParamValues& v, const NetworkSpec& net) -> std::string {
    const auto last = v.integer("victim") + v.integer("victims") - 1;
    if (last < static_cast<std::int64_t>(net.nodes)) return "";
    return fmt::format("victims {} to {} are not all nodes of the network (nodes 0 to {})",
                       v.integer("victim"), last, net.nodes - 1);
  };
  info.make = [](const AttackSetup& s) { return std::make_unique<CensorshipAttack>(s); };
  registry.add(std::move(info));
}

}  // namespace dltsim
