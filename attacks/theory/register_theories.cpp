// Registers the closed forms of longest_chain_theory.hpp (and the selfish-mining MDP) by name.

#include <cmath>

#include "attacks/selfish_mining/optimal_policy.hpp"
#include "attacks/theory/longest_chain_theory.hpp"
#include "sim/run/builtin_extensions.hpp"
#include "sim/tx/bulk_service_queue.hpp"

namespace dltsim {

void register_builtin_theories(TheoryRegistry& registry) {
  // The selfish pool's inputs, shared by SM1 and the MDP optimum.
  const ParamSpec alpha = param::real("alpha", 0.3, Range{0, 0.5, true, true}, "pool hashrate share");
  const ParamSpec gamma =
      param::probability("gamma", 0.5, "share of honest hashrate mining on the pool's block in a tie");
  registry.add(TheoryInfo{
      "selfish_mining",
      "relative revenue of SM1 and its profitability threshold (Eyal-Sirer 2014), against honest mining and "
      "alpha/(1-alpha); the optimum is selfish_mining_optimal",
      {alpha, gamma},
      [](const ParamValues& v) {
        const double a = v.number("alpha"), g = v.number("gamma");
        Summary s;
        s.set("revenue_sm1", theory::selfish_mining_revenue(a, g), "", "Eyal and Sirer's SM1");
        s.set("revenue_honest", a, "", "honest mining: the hashrate share");
        s.set("upper_bound", theory::selfish_mining_upper_bound(a), "", "alpha / (1 - alpha)");
        s.set("threshold_sm1", theory::selfish_mining_threshold(g), "", "(1 - gamma) / (3 - 2 gamma)");
        return s;
      }});
  registry.add(TheoryInfo{
      "selfish_mining_optimal",
      "the optimal selfish-mining policy's relative revenue, an MDP solved by policy iteration (Sapirshtein, "
      "Sompolinsky and Zohar 2016); seconds near alpha 0.5",
      {alpha, gamma,
       param::integer("max_lead", 0, between(0, 512),
                      "MDP truncation; 0: doubled from 8 until the value moves by at most mdp_tolerance"),
       param::real("mdp_tolerance", 1e-5, Range{0, 0.01, true, false},
                   "MDP: convergence tolerance on the relative revenue when the truncation is chosen")},
      [](const ParamValues& v) {
        selfish::MdpOptions options;
        options.max_lead = static_cast<int>(v.integer("max_lead"));
        options.tolerance = v.number("mdp_tolerance");
        const selfish::MdpSolution mdp =
            selfish::solve_selfish_mining_mdp(v.number("alpha"), v.number("gamma"), options);
        Summary s;
        s.set("revenue_optimal", mdp.revenue, "",
              "MDP optimum (Sapirshtein et al.): a lower bound, within optimal_last_change of its limit");
        s.set("optimal_max_lead", static_cast<std::int64_t>(mdp.max_lead), "blocks", "MDP truncation used");
        s.set("optimal_last_change", mdp.change, "", "value change when the truncation last doubled");
        s.set("optimal_converged", std::string(mdp.converged ? "yes" : "no"), "",
              "optimal_last_change <= mdp_tolerance");
        s.set("optimal_evaluations", static_cast<std::int64_t>(mdp.evaluations), "",
              "policy evaluations (sparse LU factorisations) over all truncations tried");
        return s;
      }});
  registry.add(TheoryInfo{
      "bulk_service_queue",
      "transaction confirmation as the bulk-service queue M/M^[b]/1 (Bailey 1954; Kawase and Kasahara 2017): "
      "equal fees, first come first served, blocks of at most b transactions",
      {param::real("tx_per_s", 1, greater_than(0), "transactions arriving per second"),
       param::duration("block_interval", "600 s", greater_than(0), "mean time between blocks"),
       param::integer("capacity", 2000, between(1, 1e9), "transactions a block holds (b)")},
      [](const ParamValues& v) {
        const double lambda = v.number("tx_per_s"), mu = 1 / v.number("block_interval");
        const auto b = static_cast<std::uint32_t>(v.integer("capacity"));
        Summary s;
        s.set("load", lambda / (b * mu), "", "lambda / (b mu)");
        if (lambda >= b * mu) {
          s.set_undefined("mean_delay_s", "the load is 1 or more: the queue grows without bound", "s",
                          "mean time from arrival to the block that takes it");
          return s;
        }
        const BulkQueue q = solve_bulk_queue(lambda, mu, b);
        s.set("root", q.r, "", "r: P(N = n) = (1 - r) r^n");
        s.set("mean_waiting", q.mean_waiting, "", "mean transactions waiting, r / (1 - r)");
        s.set("mean_delay_s", q.mean_delay_s, "s",
              "mean time from arrival to the block that takes it (Little)");
        s.set("empty_block", q.empty_block, "", "probability that a block is empty, 1 - r");
        s.set("full_block", q.full_block, "", "probability that a block is full, r^b");
        return s;
      }});
  registry.add(TheoryInfo{
      "double_spending",
      "double-spend success: Rosenfeld 2014 (exact), with a give-up deficit, and Nakamoto 2008's "
      "approximation",
      {param::real("q", 0.1, Range{0, 1, true, true}, "attacker hashrate share"),
       param::integer("confirmations", 6, between(1, 1000), "blocks the merchant waits for"),
       param::integer("give_up_deficit", 20, between(2, 100000),
                      "honest lead at which the attacker gives up"),
       param::boolean("premine", true, "the attacker mines its block before paying (Rosenfeld's model)")},
      [](const ParamValues& v) {
        const double q = v.number("q");
        const int k = static_cast<int>(v.integer("confirmations"));
        Summary s;
        s.set("success_rosenfeld", theory::double_spend_rosenfeld(q, k), "", "Rosenfeld's exact probability");
        if (v.integer("give_up_deficit") > k) {
          s.set("success_give_up",
                theory::double_spend_rosenfeld_give_up(q, k, static_cast<int>(v.integer("give_up_deficit")),
                                                       v.flag("premine")),
                "", "the same race with the attacker giving up at the deficit");
        }
        s.set("success_nakamoto", theory::double_spend_nakamoto(q, k), "",
              "Nakamoto's Poisson approximation");
        return s;
      }});
  registry.add(TheoryInfo{
      "majority",
      "a majority pool rewriting d blocks: expected blocks mined and blocks reverted (Wald's identity)",
      {param::real("alpha", 0.6, Range{0.5, 1, true, true}, "pool hashrate share"),
       param::integer("depth", 6, between(1, 100000), "blocks below the head the pool forks from")},
      [](const ParamValues& v) {
        const double q = v.number("alpha");
        const int d = static_cast<int>(v.integer("depth"));
        Summary s;
        s.set("expected_blocks", theory::majority_expected_blocks(q, d), "blocks",
              "expected blocks (both sides) until the pool is strictly ahead");
        s.set("expected_depth", theory::majority_expected_depth(q, d), "blocks",
              "expected honest blocks reverted");
        return s;
      }});
  registry.add(TheoryInfo{
      "delay",
      "the fixed-delay model: stale rate, chain growth, uncle rate and uncle distance at x = lambda D "
      "(block rate times delay)",
      {param::real("x", 0.1, at_least(0), "lambda D: the delay in mean block intervals")},
      [](const ParamValues& v) {
        const double x = v.number("x");
        Summary s;
        s.set("stale_rate", theory::delay_stale_rate(x), "", "x / (1 + x)");
        s.set("growth", theory::delay_growth(x), "", "main-chain blocks per block interval, 1 / (1 + x)");
        s.set("uncle_rate", theory::delay_uncle_rate(x), "", "uncles per main-chain block, x");
        s.set("uncle_distance", theory::delay_uncle_distance(x), "blocks", "2 - (1 - e^-x) / x");
        return s;
      }});
  registry.add(TheoryInfo{
      "praos",
      "Praos: leader probability phi_f, honest chain growth with a delay of delta slots, and the stake "
      "above which a private chain outgrows the honest one",
      {param::real("f", 0.05, Range{0, 1, true, false}, "active slot coefficient"),
       param::real("alpha", 0.3, between(0, 1), "the adversary's relative stake"),
       param::integer("delta", 1, between(1, 1000000), "floor(delay / slot length) + 1")},
      [](const ParamValues& v) {
        const double f = v.number("f"), a = v.number("alpha");
        const int delta = static_cast<int>(v.integer("delta"));
        Summary s;
        s.set("leader_probability", theory::praos_leader_probability(f, a), "", "phi_f(alpha)");
        s.set("honest_leader_probability", theory::praos_leader_probability(f, 1 - a), "",
              "phi_f(1 - alpha)");
        s.set("empty_slot_rate", 1 - f, "",
              "no leader in a slot: (1 - f)^1, whatever the stake distribution");
        s.set("honest_growth_per_slot", theory::praos_growth_per_slot(f, 1 - a, delta), "",
              "p_h / (1 + (delta - 1) p_h)");
        s.set("private_growth_per_slot", theory::praos_leader_probability(f, a), "", "phi_f(alpha)");
        s.set("private_threshold", theory::praos_private_threshold(f, delta), "",
              "stake above which the private chain grows faster");
        return s;
      }});
}

}  // namespace dltsim
