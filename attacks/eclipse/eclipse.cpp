// The eclipse attack (Heilman, Kendler, Zohar and Goldberg, USENIX Security 2015) on the peer
// manager's address tables (network.peers). From `start` the attacker takes the victims' free inbound
// slots with its nodes and floods their "new" tables with its nodes' addresses (addr messages from
// `addr_messages` of its nodes every `flood_interval`, up to 1,000 addresses each); feelers then move
// live attacker addresses to "tried". `wait` after the start the victims restart (offline for
// `downtime`): back online each reconnects its anchors, draws its outbound peers from its tables,
// and the attacker takes the inbound slots again at once. A victim is eclipsed while every one of its
// connections leads to an attacker node; the attacker then drops or delays the blocks it relays to
// it (`blocks`) until `end`.
//
// With `confirmations` k > 0 the attacker double-spends against the victims eclipsed after the
// restart, its merchants (merchant_pool.hpp): its nodes mine a private branch paying them and feed
// it to them alone, keeping the honest chain from them, until the branch has k blocks; then they
// drop the branch and the merchants reorganise to the honest chain, which holds the conflicting
// payment. `blocks` does not apply then.
//
// Results: per victim, its tables at the restart (entries, attacker entries, live honest entries:
// what the closed form of the eclipse probability needs, tests/validation/test_eclipse.py), its
// outbound peers after it, whether and when it was eclipsed; the attacker's share of each victim's
// connections over time.

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <boost/random/uniform_int_distribution.hpp>

#include "attacks/common/attack_scope.hpp"
#include "attacks/common/private_chain_pool.hpp"
#include "attacks/eclipse/merchant_pool.hpp"
#include "sim/core/error.hpp"
#include "sim/core/sampling.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/node/peer_manager.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

struct VictimRow {
  std::uint16_t attack;
  std::uint32_t victim;
  std::uint32_t new_entries;
  std::uint32_t new_attacker;
  std::uint32_t new_honest_live;
  std::uint32_t tried_entries;
  std::uint32_t tried_attacker;
  std::uint32_t tried_attacker_free;
  std::uint32_t tried_honest_live;
  std::uint32_t anchors;
  std::uint32_t anchors_attacker;
  std::uint32_t outbound;
  std::uint32_t outbound_attacker;
  std::uint8_t eclipsed_at_restart;
  double eclipsed_at_s;
  double attacker_share_end;
  std::uint8_t merchant;
  std::uint8_t payment_confirmed;
  std::uint8_t payment_reverted;
};

TableSchema victim_schema() {
  return {
      "eclipse",
      "Eclipse attack: per victim, its address tables just before it came back from the restart, its "
      "outbound peers after, and when it was eclipsed",
      sizeof(VictimRow),
      {DLTSIM_COLUMN(VictimRow, attack, "", "index of the attack in the scenario"),
       DLTSIM_COLUMN(VictimRow, victim, "", "victim node id"),
       DLTSIM_COLUMN(VictimRow, new_entries, "", "filled slots of its \"new\" table"),
       DLTSIM_COLUMN(VictimRow, new_attacker, "",
                     "of those, live attacker addresses other than anchors it reconnected to"),
       DLTSIM_COLUMN(VictimRow, new_honest_live, "",
                     "of those, honest addresses that accepted a connection then"),
       DLTSIM_COLUMN(VictimRow, tried_entries, "", "filled slots of its \"tried\" table"),
       DLTSIM_COLUMN(VictimRow, tried_attacker, "", "of those, live attacker addresses"),
       DLTSIM_COLUMN(VictimRow, tried_attacker_free, "",
                     "of those, attacker addresses it was not already connected to (as an anchor)"),
       DLTSIM_COLUMN(VictimRow, tried_honest_live, "",
                     "of those, honest addresses that accepted a connection then and were not anchors it "
                     "reconnected to"),
       DLTSIM_COLUMN(VictimRow, anchors, "", "anchors it reconnected to"),
       DLTSIM_COLUMN(VictimRow, anchors_attacker, "", "of those, attacker nodes"),
       DLTSIM_COLUMN(VictimRow, outbound, "", "outbound connections after the restart (anchors included)"),
       DLTSIM_COLUMN(VictimRow, outbound_attacker, "", "of those, to attacker nodes"),
       DLTSIM_COLUMN(VictimRow, eclipsed_at_restart, "",
                     "1 if every outbound peer after the restart is the attacker's"),
       DLTSIM_COLUMN(VictimRow, eclipsed_at_s, "s",
                     "first sample time at which all its connections led to attacker nodes (NaN: never)"),
       DLTSIM_COLUMN(VictimRow, attacker_share_end, "", "attacker's share of its connections at the end"),
       DLTSIM_COLUMN(VictimRow, merchant, "",
                     "1 if it was eclipsed when the double spend began (confirmations > 0)"),
       DLTSIM_COLUMN(VictimRow, payment_confirmed, "",
                     "1 if it received the attacker's branch with the payment and its k confirmations"),
       DLTSIM_COLUMN(
           VictimRow, payment_reverted, "",
           "1 if its final head does not hold the payment (the honest chain replaced the branch)")}};
}

struct SampleRow {
  double time_s;
  std::uint16_t attack;
  std::uint32_t victim;
  std::uint32_t connections;
  std::uint32_t attacker_connections;
};

TableSchema sample_schema() {
  return {"eclipse_connections",
          "Eclipse attack: each victim's connections and the attacker's among them, sampled",
          sizeof(SampleRow),
          {DLTSIM_COLUMN(SampleRow, time_s, "s", "sample time"),
           DLTSIM_COLUMN(SampleRow, attack, "", "index of the attack in the scenario"),
           DLTSIM_COLUMN(SampleRow, victim, "", "victim node id"),
           DLTSIM_COLUMN(SampleRow, connections, "", "its connections"),
           DLTSIM_COLUMN(SampleRow, attacker_connections, "", "of those, to attacker nodes")}};
}

class EclipseAttack final : public Attack, public MessageFilter {
 public:
  explicit EclipseAttack(const AttackSetup& setup)
      : consensus_(longest_chain::require(setup.consensus, "eclipse")),
        scope_(setup),
        restart_s_(setup.spec.start_s + setup.spec.params.number("wait")),
        downtime_s_(setup.spec.params.number("downtime")),
        flood_interval_s_(setup.spec.params.number("flood_interval")),
        sample_interval_s_(setup.spec.params.number("sample_interval")),
        addr_messages_(static_cast<std::uint32_t>(setup.spec.params.integer("addr_messages"))),
        drop_(setup.spec.params.text("blocks") == "drop"),
        delay_s_(setup.spec.params.text("blocks") == "delay" ? setup.spec.params.number("delay") : 0),
        pass_(setup.spec.params.text("blocks") == "pass" || setup.spec.params.text("blocks") == "capture"),
        capture_(setup.spec.params.text("blocks") == "capture"),
        confirmations_(static_cast<std::uint32_t>(setup.spec.params.integer("confirmations"))),
        is_victim_(setup.network.size(), false),
        is_merchant_(setup.network.size(), false),
        rng_(setup.seeds.child("draws").rng()),
        victim_table_(setup.recorder.table(victim_schema())),
        sample_table_(setup.recorder.table(sample_schema())) {
    std::vector<NodeId> honest = scope_.others();
    const auto count = static_cast<std::size_t>(setup.spec.params.integer("victims"));
    if (count > honest.size()) {
      throw Error(fmt::format("attack '{}': {} victims asked, but only {} nodes are not the attacker's",
                              scope_.label, count, honest.size()));
    }
    Rng pick_rng = setup.seeds.child("victims").rng();
    shuffle_front(honest, count, pick_rng);
    victims_.assign(honest.begin(), honest.begin() + static_cast<std::ptrdiff_t>(count));
    std::sort(victims_.begin(), victims_.end());
    for (const NodeId v : victims_) is_victim_[v] = true;
    rows_.resize(victims_.size());
    for (std::size_t i = 0; i < victims_.size(); ++i) {
      rows_[i].attack = scope_.index;
      rows_[i].victim = victims_[i];
      rows_[i].eclipsed_at_s = std::numeric_limits<double>::quiet_NaN();
    }
    const auto& t = consensus_.types();
    block_ref_types_ = {t.inv, t.getdata, t.block, t.cmpctblock, t.getblocktxn, t.blocktxn};
    if (restart_s_ + downtime_s_ >= scope_.end_s) {
      throw Error(
          fmt::format("attack '{}': the victims come back from the restart at {} s (start + wait + "
                      "downtime), not before the attack's end at {} s",
                      scope_.label, restart_s_ + downtime_s_, scope_.end_s));
    }
    if (confirmations_ > 0) {
      AttackSpec window = setup.spec;
      window.start_s = restart_s_ + downtime_s_;
      pool_ = std::make_unique<attacks::MerchantPool>(consensus_, window, confirmations_, [this] {
        for (const NodeId v : victims_) is_merchant_[v] = eclipsed(v);
      });
    }
  }

  std::unique_ptr<Protocol> make_node(NodeId id, std::unique_ptr<Protocol> honest) override {
    return pool_ ? pool_->make_member(id, std::move(honest)) : std::move(honest);
  }

  MessageFilter* filter() override { return pass_ && !pool_ ? nullptr : this; }

  void on_start(Runtime& runtime) override {
    runtime_ = &runtime;
    peers_ = runtime.peer_manager();
    if (peers_ == nullptr)
      throw Error(fmt::format("attack '{}' needs network.peers (address tables)", scope_.label));
    for (const NodeId a : scope_.nodes) peers_->set_unlimited_inbound(a);
    if (capture_) {
      pool_member_ = dynamic_cast<attacks::PoolNode*>(&runtime.protocol(scope_.nodes.front()));
      if (pool_member_ == nullptr) {
        throw Error(
            fmt::format("attack '{}': blocks: capture needs the attack's nodes to run a private-chain "
                        "attack too (selfish_mining on the same nodes)",
                        scope_.label));
      }
    }
    runtime.call_at(scope_.start_s, [this] {
      for (const NodeId v : victims_) occupy_inbound(v);
      flood();
      sample_loop();
    });
    runtime.call_at(restart_s_, [this] {
      for (const NodeId v : victims_) runtime_->set_online(v, false);
    });
    runtime.call_at(restart_s_ + downtime_s_, [this] { restart_victims(); });
    if (pool_) pool_->schedule(runtime);  // after the restart above: it opens at the same time
  }

  FilterVerdict on_send(Message& msg, double now_s) override {
    if (pool_) return double_spend_verdict(msg);
    FilterVerdict verdict;
    if (!scope_.active_at(now_s) || !is_victim_[msg.to] || !scope_.controlled[msg.from]) return verdict;
    if (!consensus_.types().carries_block(msg.type)) return verdict;
    if (!eclipsed(msg.to)) return verdict;
    ++held_;
    verdict.drop = drop_;
    verdict.extra_delay_s = delay_s_;
    return verdict;
  }

  // The branch reaches the merchants and nobody else; the honest chain does not reach the
  // merchants while the branch is being mined.
  FilterVerdict double_spend_verdict(const Message& msg) {
    FilterVerdict verdict;
    // Only the attacker's messages and the merchants' can carry the branch or reach a merchant.
    if (!scope_.controlled[msg.from] && !is_merchant_[msg.from] && !is_merchant_[msg.to]) return verdict;
    if (std::find(block_ref_types_.begin(), block_ref_types_.end(), msg.type) == block_ref_types_.end())
      return verdict;
    const BlockId block = msg.as<longest_chain::BlockRef>().block;
    if (pool_->is_private(block)) {
      verdict.drop = !is_merchant_[msg.to] && !is_merchant_[msg.from];  // a merchant fetches it too
    } else if (pool_->active() && is_merchant_[msg.to]) {
      verdict.drop = true;
      ++held_;
    }
    return verdict;
  }

  void finish(Summary& summary) override {
    std::uint32_t at_restart = 0;
    std::uint32_t ever = 0;
    std::uint32_t at_end = 0;
    double share_sum = 0;
    std::uint32_t merchants = 0;
    std::uint32_t double_spends = 0;
    std::uint64_t outbound = 0, outbound_attacker = 0;
    for (std::size_t i = 0; i < victims_.size(); ++i) {
      VictimRow& r = rows_[i];
      outbound += r.outbound;
      outbound_attacker += r.outbound_attacker;
      const auto [connections, attacker] = connections_of(victims_[i]);
      r.attacker_share_end = connections > 0 ? static_cast<double>(attacker) / connections : 0.0;
      share_sum += r.attacker_share_end;
      at_restart += r.eclipsed_at_restart;
      ever += std::isnan(r.eclipsed_at_s) ? 0 : 1;
      at_end += connections > 0 && attacker == connections ? 1 : 0;
      if (pool_ && is_merchant_[victims_[i]]) {
        r.merchant = 1;
        const auto* node = dynamic_cast<const longest_chain::ChainNode*>(&runtime_->protocol(victims_[i]));
        const BlockId confirming = pool_->confirming_block();
        r.payment_confirmed = node != nullptr && confirming != 0 && node->view().knows(confirming) ? 1 : 0;
        r.payment_reverted =
            node != nullptr && pool_->payment_block() != 0 &&
                    !consensus_.tree().is_ancestor(pool_->payment_block(), node->view().head())
                ? 1
                : 0;
        merchants += 1;
        double_spends += r.payment_confirmed && r.payment_reverted ? 1 : 0;
      }
      Recorder::append(victim_table_, r);
    }
    if (pool_) {
      summary.set(key("merchants"), static_cast<std::int64_t>(merchants), "nodes",
                  "victims eclipsed when the double spend began");
      summary.set(key("double_spends"), static_cast<std::int64_t>(double_spends), "nodes",
                  "merchants that accepted the payment with its confirmations and then lost it");
      summary.set(key("private_blocks"), static_cast<std::int64_t>(pool_->private_blocks()), "blocks",
                  "blocks the attacker mined on the branch it fed the merchants");
      summary.set(key("confirm_time_s"), pool_->confirmed_s() - pool_->begin_s(), "s",
                  "from the start of the branch to its last needed confirmation (NaN: not reached)");
    }
    summary.set(key("victims"), static_cast<std::int64_t>(victims_.size()), "nodes", "victims");
    summary.set(key("attacker_nodes"), static_cast<std::int64_t>(scope_.nodes.size()), "nodes",
                "attacker nodes (their addresses flood the victims' tables)");
    summary.set(key("eclipsed_at_restart"), static_cast<std::int64_t>(at_restart), "nodes",
                "victims whose outbound peers after the restart were all the attacker's");
    summary.set(key("eclipsed_ever"), static_cast<std::int64_t>(ever), "nodes",
                "victims with every connection to the attacker at some sample");
    summary.set(key("eclipsed_end"), static_cast<std::int64_t>(at_end), "nodes",
                "victims with every connection to the attacker at the end");
    summary.set(key("attacker_share_end"), victims_.empty() ? 0.0 : share_sum / victims_.size(), "",
                "attacker's share of a victim's connections at the end, mean over victims");
    summary.mark_proportions({key("attacker_share_end")});
    // The outbound share is what peer selection decides (anchors, groups, feelers); the inbound
    // slots the attacker takes at the restart are not.
    summary.set_number(key("outbound_attacker_share"),
                       outbound > 0 ? static_cast<double>(outbound_attacker) / outbound : std::nan(""), "",
                       "attacker's share of the victims' outbound connections just after their restart",
                       "no victim had an outbound connection (or none restarted within the run)");
    summary.mark_proportions({key("outbound_attacker_share")});
    if (capture_) {
      summary.set(key("captured"), static_cast<std::int64_t>(captured_), "nodes",
                  "eclipsed miners whose power the private-chain pool uses");
    }
    summary.set(key("blocks_held"), static_cast<std::int64_t>(held_), "messages",
                "block messages the attacker dropped or delayed to eclipsed victims");
  }

 private:
  std::string key(const char* name) const { return scope_.label + "_" + name; }

  std::pair<std::uint32_t, std::uint32_t> connections_of(NodeId v) const {
    const auto& peers = scope_.network.topology().peers(v);
    std::uint32_t attacker = 0;
    for (const PeerLink& p : peers) attacker += scope_.controlled[p.peer] ? 1 : 0;
    return {static_cast<std::uint32_t>(peers.size()), attacker};
  }

  bool eclipsed(NodeId v) const {
    const auto [connections, attacker] = connections_of(v);
    return connections > 0 && attacker == connections;
  }

  // The eclipsed miner mines for the private-chain attack the attacker's nodes run (selfish mining
  // on the same nodes): it is fed the private chain and its blocks on it are the pool's.
  void capture(NodeId v) {
    pool_member_->pool().capture(v);
    ++captured_;
    pool_member_->pool().announce_head_to_captured();
  }

  // Attacker nodes in a fresh random order, until the victim's inbound slots are full.
  void occupy_inbound(NodeId v) {
    std::vector<NodeId> order = scope_.nodes;
    for (std::size_t i = 0; i < order.size() && peers_->accepts(v); ++i) {
      boost::random::uniform_int_distribution<std::size_t> pick(i, order.size() - 1);
      std::swap(order[i], order[pick(rng_)]);
      peers_->connect_inbound(order[i], v);
    }
  }

  void flood() {
    if (runtime_->now_s() >= restart_s_ || !runtime_->producing()) return;
    for (const NodeId v : victims_) {
      for (std::uint32_t m = 0; m < addr_messages_; ++m) {
        boost::random::uniform_int_distribution<std::size_t> sender(0, scope_.nodes.size() - 1);
        std::vector<NodeId> addresses = dltsim::sample(scope_.nodes, PeerManager::kMaxAddrMessage, rng_);
        peers_->send_addresses(scope_.nodes[sender(rng_)], v, std::move(addresses));
      }
    }
    runtime_->call_at(runtime_->now_s() + flood_interval_s_, [this] { flood(); });
  }

  void sample_loop() {
    if (!runtime_->producing() || runtime_->now_s() >= scope_.end_s) return;
    sample();
    runtime_->call_at(runtime_->now_s() + sample_interval_s_, [this] { sample_loop(); });
  }

  void sample() {
    const double now_s = runtime_->now_s();
    for (std::size_t i = 0; i < victims_.size(); ++i) {
      const auto [connections, attacker] = connections_of(victims_[i]);
      Recorder::append(sample_table_, SampleRow{now_s, scope_.index, victims_[i], connections, attacker});
      if (connections > 0 && attacker == connections && std::isnan(rows_[i].eclipsed_at_s))
        rows_[i].eclipsed_at_s = now_s;
    }
  }

  // Just before a victim comes back: its tables as the draws will see them.
  void record_tables(VictimRow& r, NodeId v) {
    const std::vector<NodeId>& anchors = peers_->anchors(v);
    auto reconnects = [&](NodeId a) {
      return std::find(anchors.begin(), anchors.end(), a) != anchors.end() && peers_->accepts(a);
    };
    peers_->table(v).for_each([&](const AddressSlot& s) {
      const NodeId a = s.address;
      const bool live = peers_->accepts(a);
      // An anchor it reconnects to is drawn again only to be skipped: neither attacker nor honest.
      if (!s.tried) {
        ++r.new_entries;
        if (reconnects(a)) return;
        if (scope_.controlled[a] && live) ++r.new_attacker;
        if (!scope_.controlled[a] && live) ++r.new_honest_live;
        return;
      }
      ++r.tried_entries;
      if (scope_.controlled[a] && live) ++r.tried_attacker;
      if (reconnects(a)) return;
      if (scope_.controlled[a] && live) ++r.tried_attacker_free;
      if (!scope_.controlled[a] && live) ++r.tried_honest_live;
    });
    for (const NodeId a : anchors) {
      if (!reconnects(a)) continue;
      ++r.anchors;
      if (scope_.controlled[a]) ++r.anchors_attacker;
    }
  }

  void restart_victims() {
    for (std::size_t i = 0; i < victims_.size(); ++i) {
      const NodeId v = victims_[i];
      VictimRow& r = rows_[i];
      record_tables(r, v);
      runtime_->set_online(v, true);
      for (const NodeId p : peers_->outbound_peers(v)) {
        ++r.outbound;
        if (scope_.controlled[p]) ++r.outbound_attacker;
      }
      r.eclipsed_at_restart = r.outbound > 0 && r.outbound == r.outbound_attacker ? 1 : 0;
      occupy_inbound(v);  // at once, before the next victim (or anyone) connects to it
      if (capture_ && eclipsed(v)) capture(v);
    }
    sample();
  }

  longest_chain::LongestChainConsensus& consensus_;
  attacks::AttackScope scope_;
  double restart_s_;
  double downtime_s_;
  double flood_interval_s_;
  double sample_interval_s_;
  std::uint32_t addr_messages_;
  bool drop_;
  double delay_s_;
  bool pass_;
  bool capture_;
  std::uint32_t confirmations_;
  std::vector<bool> is_victim_;
  std::vector<bool> is_merchant_;
  std::vector<NodeId> victims_;
  std::vector<VictimRow> rows_;
  std::vector<MessageType> block_ref_types_;
  std::unique_ptr<attacks::MerchantPool> pool_;
  Rng rng_;
  Runtime* runtime_ = nullptr;
  PeerManager* peers_ = nullptr;
  TableWriter* victim_table_;
  TableWriter* sample_table_;
  std::uint64_t held_ = 0;
  std::uint32_t captured_ = 0;
  attacks::PoolNode* pool_member_ = nullptr;  // blocks: capture: a node of the private-chain pool
};

}  // namespace

void register_eclipse(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "eclipse";
  info.summary =
      "the attack's nodes flood victims' address tables and take their inbound slots; after the victims "
      "restart, an eclipsed victim's blocks are dropped or delayed";
  info.params = {
      param::integer("victims", 10, between(1, 1e7), "honest nodes attacked, drawn at random"),
      param::duration("wait", "6 h", greater_than(0),
                      "time from the start (flooding) until the victims restart; must end before `end`"),
      param::duration("downtime", "1 min", greater_than(0),
                      "how long the victims stay offline at the restart"),
      param::integer("addr_messages", 10, between(0, 1e4),
                     "addr messages per victim per flood, each with up to 1,000 attacker addresses"),
      param::duration("flood_interval", "30 min", at_least(1), "time between floods, until the restart"),
      param::choice("blocks", "drop", {"drop", "delay", "pass", "capture"},
                    "what the attacker does with blocks it relays to an eclipsed victim; capture: with "
                    "selfish_mining on the same nodes, feed it the private chain and count its blocks on it "
                    "as the pool's"),
      param::duration("delay", "20 min", at_least(0),
                      "added to each block to an eclipsed victim (blocks: delay)"),
      param::integer(
          "confirmations", 0, between(0, 1000),
          "0: no double spend; k > 0: double-spend against the victims eclipsed after the restart, "
          "who accept a payment on the attacker's branch after k blocks"),
      param::duration("sample_interval", "10 min", at_least(1),
                      "time between samples of the victims' connections (table eclipse_connections)"),
  };
  info.tables = {"eclipse", "eclipse_connections"};
  info.families = {longest_chain::kFamily};
  info.check_window = [](const ParamValues& v, double start_s, double end_s) -> std::string {
    const double back_s = start_s + v.number("wait") + v.number("downtime");
    if (back_s >= end_s) {
      return fmt::format(
          "the victims come back from the restart at {} s (start + wait + downtime), not before the "
          "attack's end at {} s: shorten wait or move end",
          back_s, end_s);
    }
    return "";
  };
  info.check_network = [](const ParamValues&, const NetworkSpec& net) -> std::string {
    if (!net.peers.enabled) {
      return "attack 'eclipse' works on address tables: add network.peers (an empty map {} takes the "
             "defaults)";
    }
    return "";
  };
  info.make = [](const AttackSetup& setup) { return std::make_unique<EclipseAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
