// Sybil relays: the attack's nodes (addresses in the prefixes the selection picks: `top_prefixes`,
// `ases`, ...) join as peers and relay selectively from `start` to `end`. `blocks` is their rule for
// blocks mined by others:
//   withhold: announce them but never deliver (a requester waits Bitcoin Core's block download
//             timeout before asking another peer that announced it),
//   delay:    deliver them `delay` late,
//   silent:   neither announce nor deliver (a dead peer that holds a connection slot).
// Their own blocks go out normally. With address tables (network.peers) they accept every inbound
// connection and advertise their addresses: at the start and every `advertise_interval` each sends
// an addr message with up to 1,000 Sybil addresses to `advertise` random honest nodes, so honest
// nodes pick them as they refill outbound slots (churn, restarts). Without network.peers they keep
// the connections of the static graph.
//
// Results: the block messages they held back, the honest nodes' connections to them (mean share,
// sampled every advertise_interval in table sybil_connections); the cost (arrival delay, stale rate)
// is read against the same seed without the attack.

#include <algorithm>
#include <memory>
#include <vector>

#include <boost/random/uniform_int_distribution.hpp>

#include "attacks/common/attack_scope.hpp"
#include "attacks/common/private_chain_pool.hpp"
#include "sim/core/sampling.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/node/peer_manager.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

struct ShareRow {
  double time_s;
  std::uint16_t attack;
  std::uint64_t honest_connections;
  std::uint64_t to_sybils;
};

TableSchema share_schema() {
  return {"sybil_connections",
          "Sybil relays: honest nodes' connections and those leading to Sybil nodes, sampled",
          sizeof(ShareRow),
          {DLTSIM_COLUMN(ShareRow, time_s, "s", "sample time"),
           DLTSIM_COLUMN(ShareRow, attack, "", "index of the attack in the scenario"),
           DLTSIM_COLUMN(ShareRow, honest_connections, "", "connection ends at honest nodes"),
           DLTSIM_COLUMN(ShareRow, to_sybils, "", "of those, leading to Sybil nodes")}};
}

class SybilAttack final : public Attack, public MessageFilter {
 public:
  explicit SybilAttack(const AttackSetup& setup)
      : consensus_(longest_chain::require(setup.consensus, "sybil")),
        scope_(setup),
        rule_(setup.spec.params.text("blocks")),
        delay_s_(setup.spec.params.number("delay")),
        advertise_(static_cast<std::uint32_t>(setup.spec.params.integer("advertise"))),
        advertise_interval_s_(setup.spec.params.number("advertise_interval")),
        honest_(scope_.others()),
        rng_(setup.seeds.child("draws").rng()),
        table_(setup.recorder.table(share_schema())) {
    const auto& t = consensus_.types();
    announce_types_ = {t.inv, t.cmpctblock};  // what tells a peer that a block exists
  }

  MessageFilter* filter() override { return this; }

  void on_start(Runtime& runtime) override {
    runtime_ = &runtime;
    peers_ = runtime.peer_manager();
    if (peers_ != nullptr) {
      for (const NodeId s : scope_.nodes) peers_->set_unlimited_inbound(s);
    }
    runtime.call_at(scope_.start_s, [this] { tick(); });
  }

  FilterVerdict on_send(Message& msg, double now_s) override {
    FilterVerdict verdict;
    if (!scope_.active_at(now_s) || !scope_.controlled[msg.from] || scope_.controlled[msg.to]) return verdict;
    const bool data = consensus_.types().carries_block(msg.type);
    const bool announce =
        std::find(announce_types_.begin(), announce_types_.end(), msg.type) != announce_types_.end();
    if (!data && !announce) return verdict;
    if (scope_.controlled[consensus_.tree().get(msg.as<longest_chain::BlockRef>().block).producer])
      return verdict;
    if (rule_ == "silent") {
      verdict.drop = true;
    } else if (data && rule_ == "withhold") {
      verdict.drop = true;  // an inv goes out; the block never follows
    } else if (data && rule_ == "delay") {
      verdict.extra_delay_s = delay_s_;
    } else {
      return verdict;
    }
    ++held_;
    return verdict;
  }

  void finish(Summary& summary) override {
    summary.set(key("nodes"), static_cast<std::int64_t>(scope_.nodes.size()), "nodes", "Sybil nodes");
    summary.set(key("blocks_held"), static_cast<std::int64_t>(held_), "messages",
                "block messages (and, when silent, announcements) the Sybil nodes withheld or delayed");
    const auto [ends, to_sybils] = honest_ends();
    summary.set(key("connection_share_end"), ends > 0 ? static_cast<double>(to_sybils) / ends : 0.0, "",
                "share of the honest nodes' connections that lead to Sybil nodes, at the end");
    summary.mark_proportions({key("connection_share_end")});
  }

 private:
  std::string key(const char* name) const { return scope_.label + "_" + name; }

  std::pair<std::uint64_t, std::uint64_t> honest_ends() const {
    std::uint64_t ends = 0;
    std::uint64_t to_sybils = 0;
    for (const NodeId h : honest_) {
      for (const PeerLink& p : scope_.network.topology().peers(h)) {
        ++ends;
        to_sybils += scope_.controlled[p.peer] ? 1 : 0;
      }
    }
    return {ends, to_sybils};
  }

  void tick() {
    if (!runtime_->producing() || runtime_->now_s() >= scope_.end_s) return;
    const auto [ends, to_sybils] = honest_ends();
    Recorder::append(table_, ShareRow{runtime_->now_s(), scope_.index, ends, to_sybils});
    if (peers_ != nullptr && !honest_.empty()) advertise();
    runtime_->call_at(runtime_->now_s() + advertise_interval_s_, [this] { tick(); });
  }

  void advertise() {
    boost::random::uniform_int_distribution<std::size_t> any_honest(0, honest_.size() - 1);
    boost::random::uniform_int_distribution<std::size_t> any_sybil(0, scope_.nodes.size() - 1);
    for (std::uint32_t m = 0; m < advertise_; ++m) {
      std::vector<NodeId> addresses = sample(scope_.nodes, PeerManager::kMaxAddrMessage, rng_);
      const NodeId from = scope_.nodes[any_sybil(rng_)];
      peers_->send_addresses(from, honest_[any_honest(rng_)], std::move(addresses));
    }
  }

  longest_chain::LongestChainConsensus& consensus_;
  attacks::AttackScope scope_;
  std::string rule_;
  double delay_s_;
  std::uint32_t advertise_;
  double advertise_interval_s_;
  std::vector<NodeId> honest_;
  std::vector<MessageType> announce_types_;
  Rng rng_;
  Runtime* runtime_ = nullptr;
  PeerManager* peers_ = nullptr;
  TableWriter* table_;
  std::uint64_t held_ = 0;
};

}  // namespace

void register_sybil(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "sybil";
  info.summary =
      "the attack's nodes join as peers and withhold, delay or silently drop the blocks they relay";
  info.params = {
      param::choice("blocks", "withhold", {"withhold", "delay", "silent"},
                    "rule for blocks mined by others: announce but never deliver, deliver `delay` late, or "
                    "neither announce nor deliver"),
      param::duration("delay", "20 min", at_least(0), "added to each block they deliver (blocks: delay)"),
      param::integer(
          "advertise", 100, between(0, 1e4),
          "with network.peers: addr messages of Sybil addresses sent to random honest nodes per round"),
      param::duration("advertise_interval", "10 min", at_least(1),
                      "time between advertising rounds and samples of table sybil_connections"),
  };
  info.tables = {"sybil_connections"};
  info.families = {longest_chain::kFamily};
  info.make = [](const AttackSetup& setup) { return std::make_unique<SybilAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
