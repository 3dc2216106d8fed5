// The delay attack (Apostolaki, Zohar and Vanbever, IEEE S&P 2017, section VI): an AS on the path
// between a victim and some of its peers lets the victim's block requests through but holds back the
// blocks (full, compact, or the missing transactions) coming back on those connections by `delay`,
// just under Bitcoin Core's block download timeout (one block interval plus half a block interval per
// other peer a download is in flight from; consensus.params.download_timeout_*), so the victim keeps
// waiting instead of asking another peer that announced the block. Every other message passes.
// `intercepted` is the share of each victim's connections the attacker sits on (1: its own
// provider), drawn once per victim from the attack's random stream.
//
// Results: the victims, the connections intercepted and the blocks held back; the cost to the
// victims (arrival delay, stale blocks, revenue of victim miners) is read against the same seed
// without the attack.

#include <algorithm>
#include <vector>

#include <boost/random/uniform_01.hpp>

#include "attacks/common/private_chain_pool.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

class DelayAttack final : public Attack, public MessageFilter {
 public:
  explicit DelayAttack(const AttackSetup& setup)
      : consensus_(longest_chain::require(setup.consensus, "delay")),
        label_(setup.label),
        delay_s_(setup.spec.params.number("delay")),
        start_s_(setup.spec.start_s),
        end_s_(setup.spec.end_s),
        victims_(setup.nodes) {
    // The intercepted connections, as (victim, peer) pairs sorted for lookup.
    Rng rng = setup.seeds.child("intercepted").rng();
    const double share = setup.spec.params.number("intercepted");
    for (const NodeId v : victims_) {
      for (const PeerLink& p : setup.network.topology().peers(v)) {
        if (boost::random::uniform_01<double>()(rng) < share) intercepted_.emplace_back(v, p.peer);
      }
    }
    std::sort(intercepted_.begin(), intercepted_.end());
  }

  MessageFilter* filter() override { return this; }

  FilterVerdict on_send(Message& msg, double now_s) override {
    FilterVerdict v;
    if (now_s < start_s_ || now_s >= end_s_) return v;
    if (!consensus_.types().carries_block(msg.type)) return v;
    if (!std::binary_search(intercepted_.begin(), intercepted_.end(), std::make_pair(msg.to, msg.from)))
      return v;
    v.extra_delay_s = delay_s_;
    ++held_back_;
    return v;
  }

  void finish(Summary& summary) override {
    summary.set(label_ + "_victims", static_cast<std::int64_t>(victims_.size()), "nodes", "nodes attacked");
    summary.set(label_ + "_intercepted", static_cast<std::int64_t>(intercepted_.size()), "connections",
                "victims' connections the attacker is on");
    summary.set(label_ + "_held_back", static_cast<std::int64_t>(held_back_), "messages",
                "block, cmpctblock and blocktxn messages delayed on their way to a victim");
    // What the victims' mining earned: their share of the main chain against their share of power.
    const BlockTree& tree = consensus_.tree();
    double power = 0;
    for (const NodeId v : victims_) power += consensus_.power_share(v);
    std::uint64_t main = 0, theirs = 0;
    for (BlockId b = consensus_.metrics().main_head(); b != 0; b = tree.get(b).parent) {
      ++main;
      if (std::binary_search(victims_.begin(), victims_.end(), tree.get(b).producer)) ++theirs;
    }
    summary.set(label_ + "_victim_power_share", power, "", "the victims' share of consensus power");
    summary.set(label_ + "_victim_main_share", main > 0 ? static_cast<double>(theirs) / main : 0.0, "",
                "the victims' share of main-chain blocks (their revenue; below their power when delayed "
                "blocks make them mine on stale heads)");
    summary.mark_proportions({label_ + "_victim_power_share", label_ + "_victim_main_share"});
  }

 private:
  longest_chain::LongestChainConsensus& consensus_;
  std::string label_;
  double delay_s_;
  double start_s_;
  double end_s_;
  std::vector<NodeId> victims_;
  std::vector<std::pair<NodeId, NodeId>> intercepted_;  // (victim, peer)
  std::uint64_t held_back_ = 0;
};

}  // namespace

void register_delay(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "delay";
  info.summary =
      "an on-path AS holds back the blocks a victim requested by just under the block download timeout";
  info.params = {
      param::duration("delay", "590 s", at_least(0),
                      "added to each block, compact block or missing-transactions message to a victim on an "
                      "intercepted connection; just under the download timeout (one block interval, 600 s on "
                      "Bitcoin, with no other download in flight) the victim never asks another peer"),
      param::probability(
          "intercepted", 1.0,
          "share of each victim's connections the attacker is on (1: the victim's own provider)"),
  };
  info.families = {longest_chain::kFamily};
  info.make = [](const AttackSetup& setup) { return std::make_unique<DelayAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
