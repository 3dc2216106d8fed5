// The selfish-mining attack: a pool with hashrate share alpha keeps a private chain and publishes
// according to a strategy (SM1, stubborn variants, the MDP-optimal policy, or honest as a control).
// Reports the pool's relative revenue with its standard error, the closed form beside it, and the
// gamma that emerges on the network.

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include <fmt/format.h>

#include "attacks/common/private_chain_pool.hpp"
#include "attacks/selfish_mining/optimal_policy.hpp"
#include "attacks/selfish_mining/strategy.hpp"
#include "attacks/theory/longest_chain_theory.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/metrics/statistics.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

using attacks::Fork;
using selfish::Action;

struct LeadRow {
  std::uint16_t attack;
  std::uint8_t fork;
  double time_s;
  std::int32_t lead;
  std::uint32_t a;
  std::uint32_t h;
};

TableSchema lead_schema() {
  return {"private_lead",
          "Race state of private-chain attacks after every decision (time series)",
          sizeof(LeadRow),
          {DLTSIM_COLUMN(LeadRow, attack, "", "index of the attack in the scenario"),
           DLTSIM_COLUMN(LeadRow, fork, "",
                         "0 irrelevant (pool found the last block), 1 relevant, 2 active (tie race)"),
           DLTSIM_COLUMN(LeadRow, time_s, "s", "when"),
           DLTSIM_COLUMN(LeadRow, lead, "blocks", "private lead a - h"),
           DLTSIM_COLUMN(LeadRow, a, "blocks", "private blocks since the fork point"),
           DLTSIM_COLUMN(LeadRow, h, "blocks", "public blocks since the fork point")}};
}

std::vector<ParamSpec> selfish_params() {
  std::vector<std::string> strategies = selfish::rule_strategy_names();
  strategies.push_back("optimal");
  return {
      param::real(
          "alpha", 0.3, Range{0, 1, true, true},
          "hashrate share of the pool (its nodes share it equally; the others are scaled to 1 - alpha)"),
      param::choice(
          "strategy", "sm1", strategies,
          "sm1 (Eyal-Sirer), lead_stubborn / equal_fork_stubborn / trail_stubborn (Nayak et al. 2016), "
          "optimal (Sapirshtein et al. MDP), honest (control: publish at once)"),
      param::only_when(param::integer("trail_depth", 1, between(1, 100),
                                      "trail_stubborn: keeps racing while at most this far behind"),
                       "strategy", {"trail_stubborn"}),
      param::only_when(
          param::probability(
              "mdp_gamma", 0.5,
              "optimal: the gamma the policy is computed for; when the protocol's tie_break is gamma, "
              "its tie_gamma is used instead"),
          "strategy", {"optimal"}),
      param::only_when(
          param::integer(
              "max_lead", 0, between(0, 512),
              "optimal: truncation of the MDP's state space; 0: doubled from 8 until the value moves by "
              "at most mdp_tolerance (selfish_mining_mdp_max_lead and _mdp_last_change report it)"),
          "strategy", {"optimal"}),
      param::only_when(
          param::real("mdp_tolerance", 1e-5, Range{0, 0.01, true, false},
                      "optimal: convergence tolerance on the relative revenue when the truncation is chosen"),
          "strategy", {"optimal"}),
  };
}

// Strategy execution on the network, gamma measurement and the lead time series.
class SelfishPool final : public attacks::PrivateChainPool {
 public:
  SelfishPool(longest_chain::LongestChainConsensus& consensus, const AttackSetup& setup,
              std::unique_ptr<selfish::Strategy> strategy)
      : PrivateChainPool(consensus, setup.spec),
        strategy_(std::move(strategy)),
        index_(setup.index),
        lead_table_(setup.recorder.table(lead_schema())) {}

  std::uint64_t races() const { return races_; }
  std::uint64_t races_won_by_gamma() const { return gamma_hits_; }

 private:
  void after_pool_block() override { decide(); }

  void after_public_block(BlockId /*block*/, bool on_published) override {
    // A block found while the honest network was split by our match: did it extend our side?
    if (was_active_) {
      ++races_;
      gamma_hits_ += on_published ? 1 : 0;
    }
    decide();
  }

  void decide() {
    const attacks::RaceState s = state();
    switch (strategy_->decide(s)) {
      case Action::adopt:
        adopt();
        break;
      case Action::override_:
        override_chain();
        break;
      case Action::match:
        match();
        break;
      case Action::wait:
        break;
    }
    was_active_ = fork_label_ == Fork::active;
    const attacks::RaceState after = state();
    Recorder::append(
        lead_table_,
        LeadRow{index_, static_cast<std::uint8_t>(after.fork), now_s(),
                static_cast<std::int32_t>(after.a) - static_cast<std::int32_t>(after.h), after.a, after.h});
  }

  std::unique_ptr<selfish::Strategy> strategy_;
  std::uint16_t index_;
  TableWriter* lead_table_;
  bool was_active_ = false;
  std::uint64_t races_ = 0;
  std::uint64_t gamma_hits_ = 0;
};

class SelfishMiningAttack final : public attacks::PoolAttack<SelfishPool> {
 public:
  explicit SelfishMiningAttack(const AttackSetup& setup)
      : PoolAttack(setup),
        members_(setup.nodes),
        spec_(setup.spec),
        alpha_(setup.spec.params.number("alpha")),
        theory_alpha_(consensus_.production().block_share(alpha_)) {
    const longest_chain::Config& c = consensus_.config();
    idealised_gamma_ = c.tie_rule.kind == TieBreak::gamma;
    const double gamma = idealised_gamma_ ? c.tie_rule.gamma : setup.spec.params.number("mdp_gamma");
    const std::string name = setup.spec.params.choice("strategy");
    std::unique_ptr<selfish::Strategy> strategy;
    if (name == "optimal") {
      selfish::MdpOptions options;
      options.max_lead = static_cast<int>(setup.spec.params.integer("max_lead"));
      options.tolerance = setup.spec.params.number("mdp_tolerance");
      const selfish::MdpSolution sol =
          selfish::solve_selfish_mining_mdp(std::min(theory_alpha_, 0.499), gamma, options);
      mdp_revenue_ = sol.revenue;
      mdp_max_lead_ = sol.max_lead;
      mdp_change_ = sol.change;
      strategy = std::make_unique<selfish::TableStrategy>(sol.policy, sol.max_lead);
    } else {
      selfish::StrategyOptions options;
      options.trail_depth = static_cast<int>(setup.spec.params.integer("trail_depth"));
      strategy = selfish::make_rule_strategy(name, options);
    }
    pool_ = std::make_unique<SelfishPool>(consensus_, setup, std::move(strategy));
  }

  void finish(Summary& summary) override {
    const BlockTree& tree = consensus_.tree();
    const std::vector<bool> main = tree.chain_flags(consensus_.metrics().main_head());
    std::vector<double> pool_share;  // 1 per main-chain block mined by the pool, 0 otherwise, by height
    std::uint64_t pool_mined = 0, honest_stale = 0;
    std::vector<BlockId> by_height;
    for (BlockId b = 1; b < tree.size(); ++b) {
      const Block& blk = tree.get(b);
      const bool in_window = blk.time_s >= spec_.start_s && blk.time_s < spec_.end_s;
      if (!in_window) continue;
      const bool ours = is_member(blk.producer);
      pool_mined += ours ? 1 : 0;
      honest_stale += (!blk.adversarial && !main[b]) ? 1 : 0;
      if (main[b]) by_height.push_back(b);
    }
    std::sort(by_height.begin(), by_height.end(),
              [&](BlockId x, BlockId y) { return tree.get(x).height < tree.get(y).height; });
    for (BlockId b : by_height) pool_share.push_back(is_member(tree.get(b).producer) ? 1.0 : 0.0);
    const Estimate revenue = batch_mean(pool_share);
    const ProportionEstimate gamma = proportion(pool_->races_won_by_gamma(), pool_->races());
    // The gamma the closed forms use, and where it comes from.
    double gamma_for_theory = std::nan("");
    std::string gamma_source = "none: no tie race happened, so gamma is unknown";
    if (idealised_gamma_) {
      gamma_for_theory = consensus_.config().tie_rule.gamma;
      gamma_source = "tie_gamma: the protocol's tie_break gamma (idealised network)";
    } else if (pool_->races() > 0) {
      gamma_for_theory = gamma.value;
      gamma_source = "observed: gamma_observed on this network";
    }
    const std::string no_gamma = "gamma unknown: no tie race happened";

    summary.set(key("strategy"), spec_.params.choice("strategy"), "", "the pool's strategy");
    summary.set(key("alpha"), alpha_, "", "the pool's hashrate share");
    summary.set_number(key("revenue"), revenue.value, "",
                       "the pool's share of main-chain blocks mined in the attack window (relative revenue)",
                       "no main-chain block in the attack window");
    summary.set_number(key("revenue_se"), revenue.standard_error, "",
                       "standard error of it: batch means over the main chain (50 batches)",
                       "fewer than 20 main-chain blocks: no error estimate");
    summary.set(key("blocks_main"),
                static_cast<std::int64_t>(std::count(pool_share.begin(), pool_share.end(), 1.0)), "blocks",
                "main-chain blocks mined by the pool");
    summary.set(key("blocks_mined"), static_cast<std::int64_t>(pool_mined), "blocks",
                "blocks mined by the pool");
    summary.set(key("honest_stale_blocks"), static_cast<std::int64_t>(honest_stale), "blocks",
                "honest blocks orphaned during the attack window");
    record_rewards(summary);
    summary.set_number(key("gamma_observed"), gamma.value, "",
                       "share of the honest blocks found during a tie race (after the pool matched) that "
                       "extended the pool's branch",
                       "no tie race happened");
    summary.set_number(key("gamma_se"), gamma.standard_error, "", "binomial standard error of it",
                       pool_->races() == 0 ? "no tie race happened"
                                           : "0 or all of the races went one way: see the Wilson interval");
    summary.set_number(key("gamma_ci_low"), gamma.ci_low, "",
                       "Wilson 95 % interval of gamma_observed: low end", "no tie race happened");
    summary.set_number(key("gamma_ci_high"), gamma.ci_high, "",
                       "Wilson 95 % interval of gamma_observed: high end", "no tie race happened");
    summary.mark_proportions(
        {key("alpha"), key("revenue"), key("gamma_observed"), key("gamma_ci_low"), key("gamma_ci_high")});
    summary.set(key("gamma_races"), static_cast<std::int64_t>(pool_->races()), "",
                "honest blocks found during a tie race (the trials behind gamma_observed)");
    summary.set_number(key("theory_gamma"), gamma_for_theory, "", "the gamma the closed forms below use",
                       no_gamma);
    summary.set(key("theory_gamma_source"), gamma_source, "", "where theory_gamma comes from");
    summary.set(key("theory_alpha"), theory_alpha_, "",
                "the pool's share of block production the closed forms use (proof of work: alpha; Praos: "
                "phi_f(alpha) / (phi_f(alpha) + phi_f(1 - alpha)))");
    if (theory_alpha_ < 0.5) {
      summary.set_number(key("theory_revenue_sm1"),
                         theory::selfish_mining_revenue(theory_alpha_, gamma_for_theory), "",
                         "Eyal and Sirer's SM1 relative revenue at alpha and theory_gamma", no_gamma);
    }
    summary.set_number(key("theory_threshold"), theory::selfish_mining_threshold(gamma_for_theory), "",
                       "SM1's profitability threshold (1 - gamma) / (3 - 2 gamma) at theory_gamma", no_gamma);
    summary.set(key("theory_upper_bound"), theory::selfish_mining_upper_bound(theory_alpha_), "",
                "alpha / (1 - alpha): no strategy earns more");
    if (!std::isnan(mdp_revenue_)) {
      summary.set(
          key("theory_revenue_mdp"), mdp_revenue_, "",
          "the MDP optimum (Sapirshtein et al.) the policy was computed with: a lower bound on the true "
          "optimum, within mdp_last_change of its limit");
      summary.set(key("mdp_max_lead"), static_cast<std::int64_t>(mdp_max_lead_), "blocks",
                  "truncation of the MDP's state space");
      summary.set(
          key("mdp_last_change"), mdp_change_, "",
          "how much the MDP value moved when the truncation doubled to mdp_max_lead (0: fixed truncation)");
    }
  }

 private:
  bool is_member(NodeId node) const { return std::binary_search(members_.begin(), members_.end(), node); }

  // The pool's share of everything the main-chain blocks of the
  // attack window pay (block rewards, and with uncles Ethereum's nephew and uncle rewards), beside
  // the share of blocks above.
  void record_rewards(Summary& summary) {
    const BlockTree& tree = consensus_.tree();
    std::vector<double> pool, all;  // per main-chain block of the window, by height
    double pool_uncle = 0, pool_nephew = 0, honest_uncle = 0;
    BlockId current = kNoBlock;
    longest_chain::for_each_reward(tree, consensus_.metrics().main_head(), consensus_.reward_rules(),
                                   [&](const longest_chain::Reward& r) {
                                     const double t = tree.get(r.main).time_s;
                                     if (t < spec_.start_s || t >= spec_.end_s) return;
                                     if (r.main != current) {
                                       current = r.main;
                                       pool.push_back(0);
                                       all.push_back(0);
                                     }
                                     const bool ours = is_member(r.node);
                                     all.back() += r.amount;
                                     if (!ours) {
                                       if (r.kind == longest_chain::RewardKind::uncle)
                                         honest_uncle += r.amount;
                                       return;
                                     }
                                     pool.back() += r.amount;
                                     if (r.kind == longest_chain::RewardKind::uncle) pool_uncle += r.amount;
                                     if (r.kind == longest_chain::RewardKind::nephew) pool_nephew += r.amount;
                                   });
    const Estimate share = batch_ratio(pool, all);
    summary.set_number(key("reward_share"), share.value, "",
                       "the pool's share of all rewards paid by the main-chain blocks of the attack window "
                       "(block, uncle and nephew rewards; compare with revenue, its share of blocks)",
                       "no main-chain block in the attack window");
    summary.set_number(key("reward_share_se"), share.standard_error, "",
                       "standard error of it: batch means of a ratio over the main chain (50 batches)",
                       "fewer than 20 main-chain blocks: no error estimate");
    summary.mark_proportions({key("reward_share")});
    summary.set(
        key("reward"), std::accumulate(pool.begin(), pool.end(), 0.0), "",
        "everything the pool earned from the main-chain blocks of the attack window, in block rewards");
    if (!consensus_.uncles()) return;
    summary.set(key("uncle_reward"), pool_uncle, "",
                "rewards the pool's stale blocks earned as uncles, in block rewards");
    summary.set(key("nephew_reward"), pool_nephew, "",
                "rewards the pool's blocks earned for referencing uncles, in block rewards");
    summary.set(key("honest_uncle_reward"), honest_uncle, "",
                "rewards the honest nodes' stale blocks earned as uncles, in block rewards");
  }

  std::vector<NodeId> members_;  // sorted
  const AttackSpec& spec_;
  double alpha_;
  double theory_alpha_;
  bool idealised_gamma_ = false;
  double mdp_revenue_ = std::nan("");
  int mdp_max_lead_ = 0;
  double mdp_change_ = 0;
};

}  // namespace

void register_selfish_mining(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "selfish_mining";
  info.summary = "a pool keeps a private chain: SM1, stubborn variants or the MDP-optimal policy";
  info.params = selfish_params();
  info.tables = {"private_lead"};
  info.power_param = "alpha";
  info.families = {longest_chain::kFamily};
  info.make = [](const AttackSetup& setup) { return std::make_unique<SelfishMiningAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
