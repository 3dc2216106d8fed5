// Hash time-locked swap between two chain ledgers (Tier Nolan's atomic swap, 2013; the BIP 199
// contract). The initiator locks coins on the first ledger, spendable with a secret until
// `first_lock` after the swap starts and refundable to her after that; the responder, once he sees
// that lock `confirmations` deep, locks on the second ledger until `second_lock` (shorter). The
// initiator redeems the second lock with the secret; the responder learns the secret when his node
// on the second ledger sees her redeem in a block, and redeems the first lock with it. A redeem
// counts when a block of the final main chain produced before its lock's expiry holds it; refunds
// after expiry are implied. The responder loses when her redeem counts and his does not: she keeps
// both sides (time dilation, Riard and Naumenko 2020; block-space flooding, Harris and Zohar 2020).
// An initiator `late` redeems at second_lock - redeem_margin, as late as she dares: the attack.

#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "interconnect/builtin_bridges.hpp"
#include "interconnect/common/chain_bridge.hpp"
#include "interconnect/common/confirmation_watcher.hpp"
#include "interconnect/common/poisson_process.hpp"
#include "sim/metrics/statistics.hpp"
#include "sim/scenario/multi_ledger.hpp"

namespace dltsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// How a swap ended.
enum class SwapOutcome : std::uint8_t {
  completed = 0,         ///< both redeems counted
  responder_lost = 1,    ///< her redeem counted, his did not: she has both sides
  initiator_failed = 2,  ///< her redeem missed the second lock: both refund, no loss
  not_locked = 3,        ///< the responder never locked (her lock was not deep enough in time)
  unfinished = 4,        ///< the first lock expires after the run's end
};

struct SwapRow {
  std::uint16_t bridge;
  std::uint32_t swap;
  double start_s;
  double responder_locked_s;
  double initiator_redeem_sent_s;
  double initiator_redeem_block_s;
  double responder_learned_s;
  double responder_redeem_sent_s;
  double responder_redeem_block_s;
  std::uint8_t outcome;
};

TableSchema swap_schema() {
  return {"swaps",
          "Hash time-locked swaps: each step's time and how it ended",
          sizeof(SwapRow),
          {DLTSIM_COLUMN(SwapRow, bridge, "", "index of the swap mechanism in the scenario's bridges"),
           DLTSIM_COLUMN(SwapRow, swap, "", "swap number"),
           DLTSIM_COLUMN(SwapRow, start_s, "s",
                         "the initiator's lock on the first ledger (locks expire from here)"),
           DLTSIM_COLUMN(SwapRow, responder_locked_s, "s",
                         "the responder's lock on the second ledger (NaN: never)"),
           DLTSIM_COLUMN(SwapRow, initiator_redeem_sent_s, "s", "the initiator sent her redeem (NaN: never)"),
           DLTSIM_COLUMN(SwapRow, initiator_redeem_block_s, "s",
                         "production time of the main-chain block holding it (NaN: none)"),
           DLTSIM_COLUMN(SwapRow, responder_learned_s, "s",
                         "the responder's second-ledger node saw her redeem in a block (NaN: never)"),
           DLTSIM_COLUMN(SwapRow, responder_redeem_sent_s, "s", "the responder sent his redeem (NaN: never)"),
           DLTSIM_COLUMN(SwapRow, responder_redeem_block_s, "s",
                         "production time of the main-chain block holding it (NaN: none)"),
           DLTSIM_COLUMN(SwapRow, outcome, "",
                         "0 completed, 1 responder lost, 2 initiator failed (both refund), 3 never locked, "
                         "4 unfinished at the end")}};
}

struct Swap {
  double start_s = 0;
  TxId initiator_lock = kNoTx;
  TxId responder_lock = kNoTx;
  TxId initiator_redeem = kNoTx;
  TxId responder_redeem = kNoTx;
  double responder_locked_s = kNaN;
  double initiator_redeem_sent_s = kNaN;
  double responder_learned_s = kNaN;
  double responder_redeem_sent_s = kNaN;
};

class HtlcSwap final : public ChainBridge {
 public:
  explicit HtlcSwap(const BridgeSetup& setup)
      : ChainBridge(setup),
        first_(ledger(0)),
        second_(ledger(1)),
        p_(setup.spec.params),
        k_(static_cast<std::uint32_t>(p_.integer("confirmations"))),
        first_lock_s_(p_.number("first_lock")),
        second_lock_s_(p_.number("second_lock")),
        margin_s_(p_.number("redeem_margin")),
        late_(p_.choice("initiator") == "late"),
        rate_per_s_(p_.number("swaps_per_hour") / 3600.0),
        rng_(setup.seeds.child("swaps").rng()),
        table_(setup.recorder.table(swap_schema())),
        responder_first_(first_, node("responder_first")),
        initiator_second_(second_, node("initiator_second")),
        responder_second_(second_, node("responder_second")) {}

  void on_start() override {
    responder_first_.start();
    initiator_second_.start();
    responder_second_.start();
    start_swap_ = [this](double now_s) { start_swap(now_s); };
    schedule_poisson(first_.runtime(), rng_, rate_per_s_, 0.0, start_swap_);
  }

  void finish(Summary& summary, double end_time_s) override {
    const auto on_first = first_.main_chain_txs();
    const auto on_second = second_.main_chain_txs();
    const auto block_time = [](const ChainLedger& l, const std::unordered_map<TxId, BlockId>& main, TxId tx) {
      if (tx == kNoTx) return kNaN;
      const auto it = main.find(tx);
      return it == main.end() ? kNaN : l.block(it->second).time_s;
    };
    std::uint64_t counts[5] = {0, 0, 0, 0, 0};
    std::vector<double> durations_s;
    for (std::size_t i = 0; i < swaps_.size(); ++i) {
      const Swap& s = swaps_[i];
      const double hers = block_time(second_, on_second, s.initiator_redeem);
      const double his = block_time(first_, on_first, s.responder_redeem);
      const bool hers_counts = !std::isnan(hers) && hers < s.start_s + second_lock_s_;
      const bool his_counts = !std::isnan(his) && his < s.start_s + first_lock_s_;
      SwapOutcome outcome;
      if (s.responder_lock == kNoTx) {
        outcome = SwapOutcome::not_locked;
      } else if (!hers_counts) {
        outcome =
            s.start_s + second_lock_s_ > end_time_s ? SwapOutcome::unfinished : SwapOutcome::initiator_failed;
      } else if (his_counts) {
        outcome = SwapOutcome::completed;
        durations_s.push_back(his - s.start_s);
      } else {
        outcome =
            s.start_s + first_lock_s_ > end_time_s ? SwapOutcome::unfinished : SwapOutcome::responder_lost;
      }
      ++counts[static_cast<int>(outcome)];
      const SwapRow row{index_,
                        static_cast<std::uint32_t>(i),
                        s.start_s,
                        s.responder_locked_s,
                        s.initiator_redeem_sent_s,
                        hers,
                        s.responder_learned_s,
                        s.responder_redeem_sent_s,
                        his,
                        static_cast<std::uint8_t>(outcome)};
      Recorder::append(table_, row);
    }
    summary.set(key("swaps"), static_cast<std::int64_t>(swaps_.size()), "", "swaps started");
    summary.set(key("completed"), static_cast<std::int64_t>(counts[0]), "", "both redeems counted");
    summary.set(key("responder_losses"), static_cast<std::int64_t>(counts[1]), "",
                "the initiator's redeem counted and the responder's did not: she kept both sides");
    summary.set(key("initiator_failures"), static_cast<std::int64_t>(counts[2]), "",
                "her redeem missed the second lock: both refunded");
    summary.set(key("not_locked"), static_cast<std::int64_t>(counts[3]), "", "the responder never locked");
    summary.set(key("unfinished"), static_cast<std::int64_t>(counts[4]), "",
                "swaps whose outcome lies after the run's end");
    const ProportionEstimate loss = proportion(counts[1], counts[0] + counts[1]);
    const std::string none = "no swap reached a redeem that counted";
    summary.set_number(key("loss_rate"), loss.value, "",
                       "responder losses / swaps whose initiator redeem counted", none);
    summary.set_number(key("loss_rate_ci_low"), loss.ci_low, "", "Wilson 95 % interval, low end", none);
    summary.set_number(key("loss_rate_ci_high"), loss.ci_high, "", "Wilson 95 % interval, high end", none);
    summary.mark_proportions({key("loss_rate"), key("loss_rate_ci_low"), key("loss_rate_ci_high")});
    const Estimate d = sample_mean(durations_s);
    summary.set_number(key("completion_mean_s"), d.value, "s",
                       "mean time from the initiator's lock to the block holding the responder's redeem",
                       "no swap completed");
  }

 private:
  NodeId node(const char* name) const { return static_cast<NodeId>(p_.integer(name)); }

  void start_swap(double now_s) {
    const std::size_t i = swaps_.size();
    swaps_.push_back(Swap{});
    Swap& s = swaps_.back();
    s.start_s = now_s;
    s.initiator_lock = send(0, node("initiator_first"), node("responder_first"));
    // The responder locks once her lock is k deep at his first-ledger node, if his lock can still
    // expire after he locks.
    responder_first_.watch(s.initiator_lock, k_,
                           [this, i](double) { hand_off(0, 1, [this, i] { responder_lock(i); }); });
  }

  void responder_lock(std::size_t i) {
    Swap& s = swaps_[i];
    const double now_s = second_.runtime().now_s();
    if (now_s >= s.start_s + second_lock_s_) return;  // too late: he does not lock
    s.responder_locked_s = now_s;
    s.responder_lock = send(1, node("responder_second"), node("initiator_second"));
    initiator_second_.watch(s.responder_lock, k_, [this, i](double seen_s) {
      Swap& sw = swaps_[i];
      const double at_s = late_ ? std::max(seen_s + reaction_s_, sw.start_s + second_lock_s_ - margin_s_)
                                : seen_s + reaction_s_;
      second_.runtime().call_at(at_s, [this, i] { initiator_redeem(i); });
    });
  }

  void initiator_redeem(std::size_t i) {
    Swap& s = swaps_[i];
    s.initiator_redeem_sent_s = second_.runtime().now_s();
    s.initiator_redeem = send(1, node("initiator_second"), node("initiator_second"));
    // He learns the secret from her redeem in a block his node has.
    responder_second_.watch(s.initiator_redeem, 1, [this, i](double learned_s) {
      swaps_[i].responder_learned_s = learned_s;
      hand_off(1, 0, [this, i] { responder_redeem(i); });
    });
  }

  void responder_redeem(std::size_t i) {
    Swap& s = swaps_[i];
    s.responder_redeem_sent_s = first_.runtime().now_s();
    s.responder_redeem = send(0, node("responder_first"), node("responder_first"));
  }

  const ChainLedger& first_;
  const ChainLedger& second_;
  const ParamValues& p_;
  std::uint32_t k_;
  double first_lock_s_;
  double second_lock_s_;
  double margin_s_;
  bool late_;
  double rate_per_s_;
  Rng rng_;
  std::function<void(double)> start_swap_;
  TableWriter* table_;
  ConfirmationWatcher responder_first_;
  ConfirmationWatcher initiator_second_;
  ConfirmationWatcher responder_second_;
  std::vector<Swap> swaps_;
};

}  // namespace

void register_htlc_swap(BridgeRegistry& registry) {
  BridgeInfo info;
  info.name = "htlc_swap";
  info.summary = "hash time-locked swaps: lock, lock, redeem, redeem before two time locks (BIP 199)";
  info.roles = {"first", "second"};
  info.tables = {"swaps"};
  info.params = {
      param::real("swaps_per_hour", 1, at_least(0), "swaps started, a Poisson process over the run"),
      param::duration("first_lock", "48 h", greater_than(0),
                      "the initiator's lock on the first ledger expires this long after the swap starts"),
      param::duration("second_lock", "24 h", greater_than(0),
                      "the responder's lock on the second ledger expires this long after the swap starts "
                      "(shorter than first_lock: the gap is the responder's time to redeem)"),
      param::integer("confirmations", 1, between(1, 100000),
                     "blocks each party waits for on the other's lock"),
      param::choice("initiator", "honest", {"honest", "late"},
                    "honest: she redeems once his lock is deep enough; late: at second_lock - redeem_margin"),
      param::only_when(param::duration("redeem_margin", "1 h", at_least(0),
                                       "a late initiator redeems this long before the second lock expires"),
                       "initiator", {"late"}),
      param::integer("initiator_first", 0, between(0, 1e9), "the initiator's node on the first ledger"),
      param::integer("initiator_second", 0, between(0, 1e9), "the initiator's node on the second ledger"),
      param::integer("responder_first", 1, between(0, 1e9), "the responder's node on the first ledger"),
      param::integer("responder_second", 1, between(0, 1e9), "the responder's node on the second ledger"),
  };
  for (ParamSpec& p : chain_bridge_params("each lock and redeem")) info.params.push_back(std::move(p));
  info.check = [](const ParamValues& p) -> std::string {
    if (p.number("second_lock") >= p.number("first_lock"))
      return fmt::format(
          "second_lock ({} s) must be shorter than first_lock ({} s): the responder redeems in the gap",
          p.number("second_lock"), p.number("first_lock"));
    if (p.choice("initiator") == "late" && p.number("redeem_margin") >= p.number("second_lock"))
      return "redeem_margin must be shorter than second_lock";
    return "";
  };
  info.check_ledgers = [](const ParamValues& p, const std::vector<const Scenario*>& ledgers) -> std::string {
    return check_chain_ledgers(ledgers, {{"initiator_first", p.integer("initiator_first"), 0},
                                         {"responder_first", p.integer("responder_first"), 0},
                                         {"initiator_second", p.integer("initiator_second"), 1},
                                         {"responder_second", p.integer("responder_second"), 1}});
  };
  info.make = [](const BridgeSetup& setup) -> std::unique_ptr<Bridge> {
    return std::make_unique<HtlcSwap>(setup);
  };
  registry.add(std::move(info));
}

}  // namespace dltsim
