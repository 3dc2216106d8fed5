// Double spending against a merchant who waits k confirmations (Rosenfeld's model). With `premine`
// (default, as in Rosenfeld's and Nakamoto's analyses) the pool first mines, in private, a block with
// the conflicting transaction on the public head, restarting if an honest block comes first; then it
// pays the merchant, whose payment goes into the next honest block. Without it, the pool forks and
// pays at once. Once the honest branch has k blocks the merchant delivers; the pool publishes as
// soon as its branch is strictly longer after that, and gives up when the honest branch leads by
// `give_up_deficit` blocks. Then the next attempt starts from the public head.
// With `payment: transaction` (a ledger with transactions) the payment is a real transaction that
// pays `merchant` (an exchange's deposit address: docs/interconnect.md), and the pool's first private
// block holds a conflicting spend of it; the merchant's k counts blocks on the payment's block, as the
// merchant's node sees them, so a payment that misses the next block waits one block more.

#include <algorithm>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "attacks/common/private_chain_pool.hpp"
#include "attacks/theory/longest_chain_theory.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/metrics/statistics.hpp"

namespace dltsim {

namespace {

struct AttemptRow {
  std::uint16_t attack;
  std::uint8_t success;
  std::uint32_t attempt;
  double start_s;
  double end_s;
  std::uint32_t attacker_blocks;
  std::uint32_t honest_blocks;
};

TableSchema attempt_schema() {
  return {"double_spend_attempts",
          "Double-spend attempts: outcome, duration and blocks mined on each side",
          sizeof(AttemptRow),
          {DLTSIM_COLUMN(AttemptRow, attack, "", "index of the attack in the scenario"),
           DLTSIM_COLUMN(AttemptRow, success, "", "1 if the pool's branch replaced the merchant's payment"),
           DLTSIM_COLUMN(AttemptRow, attempt, "", "attempt number"),
           DLTSIM_COLUMN(AttemptRow, start_s, "s", "when the pool forked"),
           DLTSIM_COLUMN(AttemptRow, end_s, "s", "success or give-up time"),
           DLTSIM_COLUMN(AttemptRow, attacker_blocks, "blocks", "blocks on the pool's branch"),
           DLTSIM_COLUMN(AttemptRow, honest_blocks, "blocks",
                         "blocks on the honest branch (orphaned on success)")}};
}

class DoubleSpendPool final : public attacks::PrivateChainPool {
 public:
  DoubleSpendPool(longest_chain::LongestChainConsensus& consensus, const AttackSetup& setup)
      : PrivateChainPool(consensus, setup.spec),
        index_(setup.index),
        k_(static_cast<std::uint32_t>(setup.spec.params.integer("confirmations"))),
        give_up_(static_cast<std::uint32_t>(setup.spec.params.integer("give_up_deficit"))),
        premine_(setup.spec.params.flag("premine")),
        table_(setup.recorder.table(attempt_schema())),
        layer_(setup.spec.params.choice("payment") == "transaction" ? consensus.transactions() : nullptr),
        merchant_(static_cast<NodeId>(setup.spec.params.integer("merchant"))),
        payment_bytes_(static_cast<std::uint32_t>(setup.spec.params.number("payment_size"))),
        payment_fee_rate_(setup.spec.params.number("payment_fee_rate")) {
    if (setup.spec.params.choice("payment") == "transaction" && layer_ == nullptr)
      throw Error("double_spending: payment: transaction needs the ledger's transactions section");
  }

  std::uint64_t attempts = 0;           ///< finished attempts (after payment)
  std::uint64_t successes = 0;          ///< successful ones
  std::uint64_t orphaned = 0;           ///< honest blocks reverted by successes
  std::vector<double> success_times_s;  ///< durations of successful attempts

 private:
  void on_begin() override { next_attempt(); }

  void next_attempt() {
    premining_ = premine_;
    start_s_ = now_s();
    if (layer_ != nullptr) prepare_conflict();
    if (!premining_) pay();
  }

  void after_pool_block() override {
    if (premining_) {  // the double-spending block is ready: pay the merchant now
      premining_ = false;
      start_s_ = now_s();
      pay();
    }
    check();
  }

  // The conflicting spend goes into every member's mempool, not relayed: the pool's next block holds
  // it. It counts as made a template refresh ago, so that even the oldest template has it (the pool
  // builds its own template around it).
  void prepare_conflict() {
    const double made_s = std::max(0.0, now_s() - layer_->spec().template_refresh_s);
    conflict_ = layer_->create(member_ids().front(), made_s, payment_bytes_, 2 * payment_fee_rate_);
    for (const NodeId m : member_ids()) layer_->receive(m, conflict_, kNoNode, now_s());
    payment_ = kNoTx;
  }

  // The payment reaches the merchant's node directly (its deposit address), at a lower fee than the
  // conflict so that no member's mempool takes it in place of the conflict.
  void pay() {
    if (layer_ == nullptr) return;
    payment_ = layer_->create(member_ids().front(), now_s(), payment_bytes_, payment_fee_rate_, conflict_,
                              merchant_);
    consensus_.deliver(runtime(), merchant_, payment_);
  }

  // Confirmations of the payment on the public chain: blocks on the public head from the one holding it.
  std::uint32_t payment_confirmations(const attacks::RaceState& s) const {
    if (payment_ == kNoTx) return 0;
    const BlockTree& tree = consensus_.tree();
    BlockId b = public_head_;
    for (std::uint32_t d = 1; d <= s.h; ++d, b = tree.get(b).parent) {
      const std::vector<TxId>& txs = layer_->block(b);
      if (std::find(txs.begin(), txs.end(), payment_) != txs.end()) return d;
    }
    return 0;
  }

  void after_public_block(BlockId, bool) override {
    if (premining_) {  // an honest block came first: pre-mine again on the new head
      adopt();
      return;
    }
    check();
  }

  void check() {
    const attacks::RaceState s = state();
    const std::uint32_t confirmed = layer_ != nullptr ? payment_confirmations(s) : s.h;
    if (confirmed >= k_ && s.a > s.h) {
      publish_all();
      finish_attempt(true, s);
    } else if (s.h >= s.a + give_up_) {
      adopt();
      finish_attempt(false, s);
    }
  }

  void finish_attempt(bool success, const attacks::RaceState& s) {
    const double now = now_s();
    Recorder::append(table_, AttemptRow{index_, static_cast<std::uint8_t>(success),
                                        static_cast<std::uint32_t>(attempts), start_s_, now, s.a, s.h});
    ++attempts;
    if (success) {
      ++successes;
      orphaned += s.h;
      success_times_s.push_back(now - start_s_);
    }
    next_attempt();  // from the head everyone now follows
  }

  std::uint16_t index_;
  std::uint32_t k_;
  std::uint32_t give_up_;
  bool premine_;
  TableWriter* table_;
  bool premining_ = false;
  double start_s_ = 0;
  TransactionLayer* layer_;  // payment: transaction; else null
  NodeId merchant_;
  std::uint32_t payment_bytes_;
  double payment_fee_rate_;
  TxId conflict_ = kNoTx;
  TxId payment_ = kNoTx;
};

class DoubleSpendAttack final : public attacks::PoolAttack<DoubleSpendPool> {
 public:
  explicit DoubleSpendAttack(const AttackSetup& setup)
      : PoolAttack(setup),
        q_(setup.spec.params.number("q")),
        k_(static_cast<int>(setup.spec.params.integer("confirmations"))),
        d_(static_cast<int>(setup.spec.params.integer("give_up_deficit"))),
        premine_(setup.spec.params.flag("premine")) {
    pool_ = std::make_unique<DoubleSpendPool>(consensus_, setup);
  }
  void finish(Summary& summary) override {
    const ProportionEstimate rate = proportion(pool_->successes, pool_->attempts);
    const Estimate time = sample_mean(pool_->success_times_s);
    const std::string none = "no attempt finished";
    summary.set(key("q"), q_, "", "the attacker's hashrate share");
    summary.set(key("confirmations"), static_cast<std::int64_t>(k_), "blocks",
                "blocks the merchant waits for");
    summary.set(key("attempts"), static_cast<std::int64_t>(pool_->attempts), "", "double spends attempted");
    summary.set(key("successes"), static_cast<std::int64_t>(pool_->successes), "",
                "of those, reverted the payment after the merchant delivered");
    summary.set_number(key("success_rate"), rate.value, "", "successes / attempts", none);
    summary.set_number(key("success_rate_se"), rate.standard_error, "", "binomial standard error of it",
                       pool_->attempts == 0 ? none : "0 or all attempts succeeded: see the Wilson interval");
    summary.set_number(key("success_rate_ci_low"), rate.ci_low, "",
                       "Wilson 95 % interval of success_rate: low end", none);
    summary.set_number(key("success_rate_ci_high"), rate.ci_high, "",
                       "Wilson 95 % interval of success_rate: high end", none);
    summary.mark_proportions({key("success_rate"), key("success_rate_ci_low"), key("success_rate_ci_high")});
    summary.set_number(key("time_to_success_mean_s"), time.value, "s", "mean time from payment to success",
                       "no attempt succeeded");
    summary.set_number(key("time_to_success_se_s"), time.standard_error, "s", "standard error of it",
                       pool_->success_times_s.empty() ? "no attempt succeeded" : "fewer than two successes");
    summary.set(key("blocks_orphaned"), static_cast<std::int64_t>(pool_->orphaned), "blocks",
                "honest blocks orphaned by successful double spends");
    const double q = consensus_.production().block_share(q_);
    summary.set(key("theory_q"), q, "",
                "the attacker's share of block production the closed forms use (proof of work: q; Praos: "
                "phi_f(q) / (phi_f(q) + phi_f(1 - q)))");
    summary.set(key("theory_exact"), theory::double_spend_rosenfeld_give_up(q, k_, d_, premine_), "",
                "success probability of this race with its give-up deficit (gambler's ruin)");
    summary.set(key("theory_rosenfeld"), theory::double_spend_rosenfeld(q, k_), "",
                "Rosenfeld's exact probability (the attacker never gives up)");
    summary.set(key("theory_nakamoto"), theory::double_spend_nakamoto(q, k_), "",
                "Nakamoto's Poisson approximation");
  }

 private:
  double q_;
  int k_;
  int d_;
  bool premine_;
};

}  // namespace

void register_double_spending(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "double_spending";
  info.summary =
      "repeated double-spend attempts against a merchant waiting k confirmations (Rosenfeld's model)";
  info.params = {
      param::real(
          "q", 0.1, Range{0, 1, true, true},
          "hashrate share of the attacker (its nodes share it equally; the others are scaled to 1 - q)"),
      param::integer("confirmations", 6, between(1, 1000),
                     "blocks the merchant waits for (the payment block included)"),
      param::integer("give_up_deficit", 20, between(2, 100000),
                     "the attacker abandons an attempt when the honest branch leads by this many blocks (> "
                     "confirmations)"),
      param::boolean(
          "premine", true,
          "mine the double-spending block before paying (Rosenfeld's and Nakamoto's model: catching up "
          "is enough); false: fork at payment time and need a strictly longer branch"),
      param::choice(
          "payment", "abstract", {"abstract", "transaction"},
          "abstract: the payment is implied (Rosenfeld's model); transaction: a real transaction to "
          "`merchant`, and a conflicting one in the pool's first block (needs transactions)"),
      param::only_when(
          param::integer("merchant", 0, between(0, 1e9),
                         "the node the payment goes to (an exchange's node: its deposit address)"),
          "payment", {"transaction"}),
      param::only_when(
          param::size("payment_size", "250 B", between(60, 100000), "virtual size of the payment"), "payment",
          {"transaction"}),
      param::only_when(
          param::real("payment_fee_rate", 20, greater_than(0),
                      "fee rate of the payment, satoshi per virtual byte (the conflict pays twice it)"),
          "payment", {"transaction"}),
  };
  info.tables = {"double_spend_attempts"};
  info.power_param = "q";
  info.families = {longest_chain::kFamily};
  info.check = [](const ParamValues& v) {
    return v.integer("give_up_deficit") > v.integer("confirmations")
               ? std::string()
               : "give_up_deficit must exceed confirmations (the attacker would give up before the merchant "
                 "delivers)";
  };
  info.check_network = [](const ParamValues& v, const NetworkSpec& network) -> std::string {
    if (v.choice("payment") == "transaction" &&
        v.integer("merchant") >= static_cast<std::int64_t>(network.nodes))
      return fmt::format("merchant: node {} does not exist; the network has nodes 0 to {}",
                         v.integer("merchant"), network.nodes - 1);
    return "";
  };
  info.make = [](const AttackSetup& setup) { return std::make_unique<DoubleSpendAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
