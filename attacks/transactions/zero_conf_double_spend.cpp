// Double-spending a fast payment (Karame, Androulaki and Capkun, "Double-spending fast payments in
// Bitcoin", CCS 2012): at each attempt the attacker (the attack's first node) sends a payment P
// straight to the merchant and, at the same moment, a conflicting spend D of the same output to
// `helpers` other nodes (random ones, or the nodes with the most hashrate), or to its own peers when
// helpers is 0. Mempools keep whichever came first (first-seen) or the one paying more (full-RBF), so
// the network splits and the miners decide. The merchant hands over the goods unless it sees a
// conflict within `merchant_wait` of the payment's arrival (Karame et al.'s listening period; 0: at
// once), and may open `merchant_peers` extra connections to random nodes at the start so that a
// conflict reaches it sooner (Karame et al.'s other countermeasure). The attack succeeds when the
// merchant accepted and P is not confirmed by the end.
//
// Results: a row per attempt (zero_conf_attempts) and the success rate with its Wilson interval over
// the attempts that were decided (P or D confirmed) by the end of the run.

#include <cmath>
#include <memory>

#include <fmt/format.h>
#include <boost/random/uniform_int_distribution.hpp>

#include "attacks/transactions/tx_attack_common.hpp"
#include "protocols/longest_chain/tx_relay.hpp"
#include "sim/adversary/attack.hpp"
#include "sim/core/sampling.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/metrics/statistics.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/net/network.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

struct AttemptRow {
  std::uint32_t attempt;
  std::uint16_t attack;
  double time_s;
  std::uint32_t payment;
  std::uint32_t double_spend;
  double payment_arrival_s;
  double conflict_seen_s;
  std::uint8_t accepted;
  std::uint8_t payment_confirmed;
  std::uint8_t double_spend_confirmed;
  std::uint8_t success;
};

TableSchema attempts_schema() {
  return {"zero_conf_attempts",
          "Zero-confirmation double spends: one row per attempt",
          sizeof(AttemptRow),
          {DLTSIM_COLUMN(AttemptRow, attempt, "", "attempt number"),
           DLTSIM_COLUMN(AttemptRow, attack, "", "index of the attack in the scenario"),
           DLTSIM_COLUMN(AttemptRow, time_s, "s", "when the attacker sent both transactions"),
           DLTSIM_COLUMN(AttemptRow, payment, "", "transaction id of the payment to the merchant"),
           DLTSIM_COLUMN(AttemptRow, double_spend, "", "transaction id of the conflicting spend"),
           DLTSIM_COLUMN(AttemptRow, payment_arrival_s, "s",
                         "when the payment reached the merchant (NaN: never)"),
           DLTSIM_COLUMN(AttemptRow, conflict_seen_s, "s",
                         "when the conflicting spend reached the merchant (NaN: never)"),
           DLTSIM_COLUMN(AttemptRow, accepted, "", "1: the merchant saw no conflict within merchant_wait"),
           DLTSIM_COLUMN(AttemptRow, payment_confirmed, "", "1: the payment is on the final main chain"),
           DLTSIM_COLUMN(AttemptRow, double_spend_confirmed, "", "1: the conflicting spend is"),
           DLTSIM_COLUMN(AttemptRow, success, "", "1: accepted and the payment not confirmed")}};
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class ZeroConfAttack final : public Attack {
 public:
  explicit ZeroConfAttack(const AttackSetup& setup)
      : consensus_(attacks::require_transactions(setup.consensus, "zero_conf_double_spend")),
        label_(setup.label),
        index_(setup.index),
        attacker_(setup.nodes.front()),
        attackers_(setup.nodes),
        merchant_(static_cast<NodeId>(setup.spec.params.integer("merchant"))),
        payment_fee_(setup.spec.params.number("payment_fee_rate_sat_vb")),
        spend_fee_(setup.spec.params.number("double_spend_fee_rate_sat_vb")),
        size_bytes_(static_cast<std::uint32_t>(setup.spec.params.number("size"))),
        helpers_(static_cast<std::size_t>(setup.spec.params.integer("helpers"))),
        to_miners_(setup.spec.params.text("helper_pool") == "miners"),
        wait_s_(setup.spec.params.number("merchant_wait")),
        merchant_peers_(static_cast<std::size_t>(setup.spec.params.integer("merchant_peers"))),
        attempts_(static_cast<std::uint32_t>(setup.spec.params.integer("attempts"))),
        interval_s_(setup.spec.params.number("interval")),
        start_s_(setup.spec.start_s),
        end_s_(setup.spec.end_s),
        rng_(setup.seeds.child("helpers").rng()),
        merchant_rng_(setup.seeds.child("merchant_peers").rng()),
        table_(setup.recorder.table(attempts_schema())) {
    if (merchant_ >= consensus_.node_count())
      throw Error(fmt::format("zero_conf_double_spend: merchant {} is not a node (the network has {})",
                              merchant_, consensus_.node_count()));
    for (const NodeId a : attackers_) {
      if (a == merchant_)
        throw Error(fmt::format("zero_conf_double_spend: the merchant (node {}) is one of the attack's nodes",
                                merchant_));
    }
  }

  void on_start(Runtime& runtime) override {
    if (merchant_peers_ > 0) connect_merchant(runtime);
    consensus_.transactions()->observe_arrivals([this](TxId tx, NodeId node, NodeId, double now_s) {
      if (node != merchant_) return;
      for (Attempt& a : log_) {
        if (tx == a.payment && std::isnan(a.payment_arrival_s)) a.payment_arrival_s = now_s;
        if (tx == a.spend && std::isnan(a.conflict_seen_s)) a.conflict_seen_s = now_s;
      }
    });
    for (std::uint32_t k = 0; k < attempts_; ++k) {
      const double t = start_s_ + k * interval_s_;
      if (t >= end_s_) break;
      runtime.call_at(t, [this, &runtime] { attempt(runtime); });
    }
  }

  void finish(Summary& summary) override {
    const attacks::MainChainView view = attacks::main_chain_view(consensus_);
    std::uint64_t decided = 0, successes = 0, detected = 0, payment_confirmed = 0;
    for (std::uint32_t k = 0; k < log_.size(); ++k) {
      const Attempt& a = log_[k];
      const bool p = view.inclusion[a.payment].height > 0, d = view.inclusion[a.spend].height > 0;
      // The merchant sees a conflict in time if the spend arrives before the payment or within the wait.
      const bool seen =
          !std::isnan(a.conflict_seen_s) &&
          (std::isnan(a.payment_arrival_s) || a.conflict_seen_s <= a.payment_arrival_s + wait_s_);
      const bool accepted = !std::isnan(a.payment_arrival_s) && !seen;
      const bool success = accepted && !p;
      if (p || d) {
        ++decided;
        successes += success ? 1 : 0;
      }
      detected += seen ? 1 : 0;
      payment_confirmed += p ? 1 : 0;
      Recorder::append(table_, AttemptRow{k, index_, a.time_s, a.payment, a.spend, a.payment_arrival_s,
                                          a.conflict_seen_s, accepted, p, d, success});
    }
    const ProportionEstimate rate = proportion(successes, decided);
    summary.set(key("attempts"), static_cast<std::uint64_t>(log_.size()), "", "double-spend attempts");
    summary.set(key("decided"), decided, "",
                "attempts whose payment or conflicting spend was confirmed by the end");
    summary.set(key("successes"), successes, "", "decided attempts the merchant accepted and lost");
    const std::string none = "no attempt was decided by the end of the run";
    summary.set_number(key("success_rate"), rate.value, "", "successes / decided", none);
    summary.set_number(key("success_ci_low"), rate.ci_low, "", "Wilson 95 % interval, lower end", none);
    summary.set_number(key("success_ci_high"), rate.ci_high, "", "upper end", none);
    summary.set_number(key("detected_share"),
                       log_.empty() ? kNaN : static_cast<double>(detected) / static_cast<double>(log_.size()),
                       "", "attempts whose conflict reached the merchant within merchant_wait", "no attempt");
    summary.set(key("payments_confirmed"), payment_confirmed, "", "attempts whose payment was confirmed");
    summary.mark_proportions(
        {key("success_rate"), key("success_ci_low"), key("success_ci_high"), key("detected_share")});
  }

 private:
  struct Attempt {
    double time_s;
    TxId payment, spend;
    double payment_arrival_s = kNaN;
    double conflict_seen_s = kNaN;
  };
  std::string key(const char* name) const { return label_ + "_" + name; }

  void attempt(Runtime& runtime) {
    if (!runtime.producing()) return;
    TransactionLayer& layer = *consensus_.transactions();
    const double now = runtime.now_s();
    const TxId p = layer.create(attacker_, now, size_bytes_, payment_fee_);
    const TxId d = layer.create(attacker_, now, size_bytes_, spend_fee_, p);
    log_.push_back(Attempt{now, p, d});
    // The attacker holds both and relays neither on its own: they go only where it sends them.
    layer.set(attacker_, p, kTxSeen);
    layer.set(attacker_, d, kTxSeen);
    NodeContext& ctx = runtime.context(attacker_);
    const MessageType tx = consensus_.types().tx;
    const std::uint32_t bytes = longest_chain::kMessageHeaderBytes + size_bytes_;
    ctx.send(merchant_, tx, bytes, consensus_.tx_ref(p));
    for (const NodeId h : helpers(runtime)) ctx.send(h, tx, bytes, consensus_.tx_ref(d));
  }

  // Extra outbound connections of the merchant, to random nodes it is not connected to (not the attacker's).
  void connect_merchant(Runtime& runtime) {
    if (runtime.peer_manager() != nullptr)
      throw Error("zero_conf_double_spend: merchant_peers needs a static peer graph (no network.peers)");
    Network& net = runtime.network();
    std::vector<NodeId> pool;
    for (NodeId n = 0; n < consensus_.node_count(); ++n) {
      if (n == merchant_ || std::find(attackers_.begin(), attackers_.end(), n) != attackers_.end()) continue;
      if (net.topology().link(merchant_, n) == nullptr) pool.push_back(n);
    }
    Rng rng = merchant_rng_;
    for (const NodeId n : sample(std::move(pool), merchant_peers_, rng)) {
      net.topology().connect(merchant_, n, net.draw_latency_s(merchant_, n, rng));
      runtime.reconnected(merchant_, n);
    }
  }

  std::vector<NodeId> helpers(Runtime& runtime) {
    std::vector<NodeId> pool;
    const auto excluded = [this](NodeId n) {
      return n == merchant_ || std::find(attackers_.begin(), attackers_.end(), n) != attackers_.end();
    };
    if (helpers_ == 0) {
      for (const PeerLink& l : runtime.context(attacker_).peers()) {
        if (!excluded(l.peer)) pool.push_back(l.peer);
      }
      return pool;
    }
    for (NodeId n = 0; n < consensus_.node_count(); ++n) {
      if (!excluded(n)) pool.push_back(n);
    }
    if (to_miners_) {
      std::stable_sort(pool.begin(), pool.end(), [this](NodeId a, NodeId b) {
        return consensus_.power_share(a) > consensus_.power_share(b);
      });
      pool.resize(std::min(pool.size(), helpers_));
      return pool;
    }
    return sample(std::move(pool), helpers_, rng_);
  }

  longest_chain::LongestChainConsensus& consensus_;
  std::string label_;
  std::uint16_t index_;
  NodeId attacker_;
  std::vector<NodeId> attackers_;
  NodeId merchant_;
  double payment_fee_, spend_fee_;
  std::uint32_t size_bytes_;
  std::size_t helpers_;
  bool to_miners_;
  double wait_s_;
  std::size_t merchant_peers_;
  std::uint32_t attempts_;
  double interval_s_, start_s_, end_s_;
  Rng rng_, merchant_rng_;
  TableWriter* table_;
  std::vector<Attempt> log_;
};

}  // namespace

void register_zero_conf_double_spend(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "zero_conf_double_spend";
  info.summary =
      "double-spending a fast payment (Karame et al. 2012): the payment to the merchant, a conflicting spend "
      "to "
      "the rest; success when the merchant accepts and the payment is never confirmed";
  info.params = {
      param::integer("merchant", 0, between(0, 1e6), "the merchant's node"),
      param::real("payment_fee_rate_sat_vb", 10, between(0, 1e7), "fee rate of the payment"),
      param::real("double_spend_fee_rate_sat_vb", 20, between(0, 1e7),
                  "fee rate of the conflicting spend (above the payment's: full-RBF nodes replace it)"),
      param::size("size", "250 B", between(60, 1e5), "size of both transactions"),
      param::integer("helpers", 0, between(0, 1e6),
                     "nodes the conflicting spend is sent to directly (0: the attacker's own peers)"),
      param::choice("helper_pool", "random", {"random", "miners"},
                    "helpers drawn at random, or the nodes with the most hashrate"),
      param::duration("merchant_wait", "0 s", at_least(0),
                      "the merchant accepts unless a conflict reaches it within this long after the payment"),
      param::integer(
          "merchant_peers", 0, between(0, 1e6),
          "extra connections the merchant opens at the start to random nodes (a conflict reaches it sooner)"),
      param::integer("attempts", 1, between(1, 1e6), "attempts, one every interval from start"),
      param::duration("interval", "30 min", greater_than(0), "time between attempts"),
  };
  info.families = {longest_chain::kFamily};
  info.needs_transactions = true;
  info.tables = {"zero_conf_attempts"};
  info.check_network = [](const ParamValues& v, const NetworkSpec& net) -> std::string {
    if (v.integer("merchant") < static_cast<std::int64_t>(net.nodes)) return "";
    return fmt::format("merchant {} is not a node of the network (nodes 0 to {})", v.integer("merchant"),
                       net.nodes - 1);
  };
  info.make = [](const AttackSetup& s) { return std::make_unique<ZeroConfAttack>(s); };
  registry.add(std::move(info));
}

}  // namespace dltsim
