#pragma once
// Optimal selfish mining: the MDP of Sapirshtein, Sompolinsky and Zohar ("Optimal Selfish Mining
// Strategies in Bitcoin", FC 2016, arXiv:1507.06183). States (a, h, fork) truncated at a maximum
// length; actions adopt / override / match / wait; objective: the pool's share of main-chain blocks.
//
// Two changes to the textbook truncation make the result trustworthy near alpha = 1/2:
// - An extra action, "race as SM1", is available wherever the pool leads by two or more: from
//   there Eyal and Sirer's SM1 wins the race whatever happens (the lead moves by +-1 per block and
//   the pool publishes everything when it falls to one), so its outcome is known in closed form:
//   every pool block of the race counts, no honest block does, and the race lasts
//   (lead - 1) / (1 - 2 alpha) blocks in expectation before the final override. This is a
//   semi-Markov action, exact, and it makes SM1 itself (and honest mining) policies of the
//   truncated model: the optimum never falls below SM1, at any truncation.
// - The truncation is chosen per (alpha, gamma): it doubles until the value moves by less than a
//   tolerance. The value is monotone in the truncation (a larger model contains every policy of a
//   smaller one) and is the revenue of a policy that can be played, so it is a lower bound on the
//   true optimum; the last change bounds how far it still is from its limit in practice.
//
// The ratio objective is solved by Dinkelbach's method merged with policy iteration: one sparse LU
// factorisation per policy gives the gains and biases of the pool's and the honest network's
// rewards at once (the evaluation is linear in the rewards), and every solve starts from the
// policy of the previous one.

#include <vector>

#include "attacks/selfish_mining/strategy.hpp"

namespace dltsim::selfish {

/// How to solve.
struct MdpOptions {
  double tolerance = 1e-5;   ///< stop doubling the truncation once the value moves by at most this
  int max_lead = 0;          ///< a fixed truncation (no doubling) when > 0
  int max_lead_limit = 256;  ///< largest truncation the doubling may reach
};

/// An optimal policy and its value.
struct MdpSolution {
  std::vector<Action> policy;  ///< indexed (a * (max_lead + 1) + h) * 3 + fork; "race as SM1" is SM1's move
  int max_lead = 0;            ///< truncation of the solution
  double revenue = 0;          ///< the pool's relative revenue under the policy: a lower bound on the optimum
  double change = 0;           ///< value at max_lead minus value at max_lead / 2 (0 for a fixed truncation)
  bool converged = false;      ///< change <= tolerance (always true for a fixed truncation)
  int evaluations = 0;         ///< policy evaluations (sparse LU factorisations) in all
};

/// Solves the MDP for hashrate share alpha in (0, 1/2) and tie parameter gamma in [0, 1].
MdpSolution solve_selfish_mining_mdp(double alpha, double gamma, const MdpOptions& options = {});

/// Relative revenue of a strategy in the same model truncated at max_lead: at the truncation the
/// strategy's action is replaced by override (if ahead) or adopt.
double mdp_strategy_revenue(double alpha, double gamma, int max_lead, const Strategy& strategy);

/// Relative revenue of SM1 in the model truncated at max_lead, racing as SM1 wherever it leads by
/// two: exact at any truncation (the check of the race's closed form against Eyal and Sirer's).
double mdp_sm1_revenue(double alpha, double gamma, int max_lead);

}  // namespace dltsim::selfish
