// Majority (51 %) attack: the pool forks `depth` blocks below the public head and mines privately
// until its branch is longer, then publishes it, rewriting at least `depth` blocks. Between two
// rewrites it mines honestly until `depth` new blocks are on the chain, so each rewrite reverts
// blocks made after the previous one. An attempt is abandoned when the honest branch leads by
// `give_up_deficit` blocks (a minority pool).

#include <memory>

#include "attacks/common/private_chain_pool.hpp"
#include "attacks/theory/longest_chain_theory.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/metrics/statistics.hpp"

namespace dltsim {

namespace {

struct RewriteRow {
  std::uint16_t attack;
  std::uint8_t success;
  std::uint32_t attempt;
  double start_s;
  double end_s;
  std::uint32_t depth;
  std::uint32_t honest_reverted;
  std::uint32_t attacker_blocks;
};

TableSchema rewrite_schema() {
  return {"majority_attempts",
          "Chain rewrites by a majority pool",
          sizeof(RewriteRow),
          {DLTSIM_COLUMN(RewriteRow, attack, "", "index of the attack in the scenario"),
           DLTSIM_COLUMN(RewriteRow, success, "", "1 if the rewrite was published and won"),
           DLTSIM_COLUMN(RewriteRow, attempt, "", "attempt number"),
           DLTSIM_COLUMN(RewriteRow, start_s, "s", "when the pool forked"),
           DLTSIM_COLUMN(RewriteRow, end_s, "s", "when it published or gave up"),
           DLTSIM_COLUMN(RewriteRow, depth, "blocks", "public blocks reverted"),
           DLTSIM_COLUMN(RewriteRow, honest_reverted, "blocks", "of those, blocks no attacker mined"),
           DLTSIM_COLUMN(RewriteRow, attacker_blocks, "blocks", "blocks the pool published")}};
}

class MajorityPool final : public attacks::PrivateChainPool {
 public:
  MajorityPool(longest_chain::LongestChainConsensus& consensus, const AttackSetup& setup)
      : PrivateChainPool(consensus, setup.spec),
        index_(setup.index),
        depth_(static_cast<std::uint32_t>(setup.spec.params.integer("depth"))),
        give_up_(static_cast<std::uint32_t>(setup.spec.params.integer("give_up_deficit"))),
        table_(setup.recorder.table(rewrite_schema())) {}

  std::uint64_t attempts = 0;         ///< finished attempts
  std::uint64_t successes = 0;        ///< rewrites that won
  std::vector<double> durations_s;    ///< time to rewrite
  std::vector<double> depths;         ///< blocks reverted per success
  std::uint64_t honest_reverted = 0;  ///< honest blocks reverted in total

 private:
  void on_begin() override { fork_below_head(); }

  void after_pool_block() override {
    if (!waiting_) return check();
    publish_all();  // between rewrites the pool mines like everyone else
    fork_when_deep_enough();
  }

  void after_public_block(BlockId, bool) override {
    if (!waiting_) return check();
    adopt();
    fork_when_deep_enough();
  }

  void fork_when_deep_enough() {
    if (consensus_.tree().get(public_head_).height >= last_rewrite_height_ + depth_) fork_below_head();
  }

  void fork_below_head() {
    const BlockTree& tree = consensus_.tree();
    const std::uint32_t height = tree.get(public_head_).height;
    restart_from(tree.ancestor_at(public_head_, height > depth_ ? height - depth_ : 0));
    start_s_ = now_s();
    waiting_ = false;
  }

  void check() {
    const attacks::RaceState s = state();
    const bool deep_enough = s.h >= depth_;
    if (deep_enough && s.a > s.h) {
      replaced_head_ = public_head_;
      fork_height_ = consensus_.tree().get(private_head_).height - s.a;
      publish_all();
      finish(true, s);
    } else if (s.h >= s.a + give_up_) {
      adopt();
      finish(false, s);
    }
  }

  void finish(bool success, const attacks::RaceState& s) {
    std::uint32_t honest = 0;
    if (success) {  // the reverted public blocks sit between the fork point and the replaced head
      const BlockTree& tree = consensus_.tree();
      for (BlockId b = replaced_head_; tree.get(b).height > fork_height_; b = tree.get(b).parent) {
        honest += tree.get(b).adversarial ? 0 : 1;
      }
    }
    Recorder::append(
        table_, RewriteRow{index_, static_cast<std::uint8_t>(success), static_cast<std::uint32_t>(attempts),
                           start_s_, now_s(), s.h, honest, s.a});
    ++attempts;
    if (success) {
      ++successes;
      honest_reverted += honest;
      durations_s.push_back(now_s() - start_s_);
      depths.push_back(s.h);
    }
    waiting_ = true;
    last_rewrite_height_ = consensus_.tree().get(public_head_).height;
  }

  std::uint16_t index_;
  std::uint32_t depth_;
  std::uint32_t give_up_;
  TableWriter* table_;
  double start_s_ = 0;
  bool waiting_ = false;
  std::uint32_t last_rewrite_height_ = 0;
  BlockId replaced_head_ = 0;
  std::uint32_t fork_height_ = 0;
};

class MajorityAttack final : public attacks::PoolAttack<MajorityPool> {
 public:
  explicit MajorityAttack(const AttackSetup& setup)
      : PoolAttack(setup),
        share_(setup.spec.params.number("alpha")),
        depth_(static_cast<int>(setup.spec.params.integer("depth"))) {
    pool_ = std::make_unique<MajorityPool>(consensus_, setup);
  }
  void finish(Summary& summary) override {
    const Estimate time = sample_mean(pool_->durations_s);
    const Estimate depth = sample_mean(pool_->depths);
    const std::string none = "no rewrite succeeded";
    const std::string one = "fewer than two rewrites succeeded: no error estimate";
    summary.set(key("alpha"), share_, "", "the pool's hashrate share");
    summary.set(key("attempts"), static_cast<std::int64_t>(pool_->attempts), "",
                "rewrites attempted (forks started depth blocks below the public head)");
    summary.set(key("successes"), static_cast<std::int64_t>(pool_->successes), "",
                "rewrites that made the pool's branch the longest");
    summary.set_number(key("time_to_rewrite_mean_s"), time.value, "s",
                       "mean time from fork to successful rewrite", none);
    summary.set_number(key("time_to_rewrite_se_s"), time.standard_error, "s", "standard error of it",
                       pool_->durations_s.empty() ? none : one);
    summary.set_number(key("rewrite_depth_mean"), depth.value, "blocks",
                       "mean honest blocks reverted per rewrite", none);
    summary.set_number(key("rewrite_depth_se"), depth.standard_error, "blocks", "standard error of it",
                       pool_->depths.empty() ? none : one);
    summary.set(key("honest_blocks_reverted"), static_cast<std::int64_t>(pool_->honest_reverted), "blocks",
                "honest main-chain blocks reverted by all rewrites");
    const double q = consensus_.production().block_share(share_);
    if (q > 0.5) {
      const int d = depth_;
      const double interval_s = consensus_.config().block_interval_s;
      summary.set(key("theory_rewrite_depth_mean"), theory::majority_expected_depth(q, d), "blocks",
                  "expected reverted depth, d + (1 - q) (d + 1) / (2q - 1) (Wald's identity)");
      summary.set(key("theory_time_to_rewrite_mean_s"), theory::majority_expected_blocks(q, d) * interval_s,
                  "s", "expected time to rewrite: (d + 1) / (2q - 1) blocks at the block interval");
    }
  }

 private:
  double share_;
  int depth_;
};

}  // namespace

void register_majority(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "majority";
  info.summary = "a pool above half the hashrate rewrites the last d blocks, again and again";
  info.params = {
      param::real("alpha", 0.6, Range{0, 1, true, true}, "hashrate share of the pool"),
      param::integer("depth", 6, between(1, 100000), "blocks below the public head the pool forks from"),
      param::integer("give_up_deficit", 100, between(1, 1000000),
                     "abandon an attempt when the honest branch leads by this many blocks"),
  };
  info.tables = {"majority_attempts"};
  info.power_param = "alpha";
  info.families = {longest_chain::kFamily};
  info.check = [](const ParamValues& v) {
    // The race starts depth blocks behind and an honest block can come first: giving up at depth + 1
    // or less ends every attempt at once.
    return v.integer("give_up_deficit") >= v.integer("depth") + 2
               ? std::string()
               : "give_up_deficit must be at least depth + 2 (the race starts depth blocks behind)";
  };
  info.make = [](const AttackSetup& setup) { return std::make_unique<MajorityAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
