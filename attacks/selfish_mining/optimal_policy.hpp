#pragma once
// Optimal selfish mining: the MDP of Sapirshtein, Sompolinsky and Zohar ("Optimal Selfish Mining
// Strategies in Bitcoin", FC 2016, arXiv:1507.06183). States (a, h, fork) truncated at a maximum
// lead; actions adopt / override / match / wait; objective: the pool's share of main-chain blocks.
// The ratio objective is solved by Dinkelbach's method over average-reward MDPs, each solved by
// policy iteration with Eigen's sparse LU for policy evaluation.

#include <vector>

#include "attacks/selfish_mining/strategy.hpp"

namespace dltsim::selfish {

/// An optimal policy and its value.
struct MdpSolution {
  std::vector<Action> policy;  ///< indexed (a * (max_lead + 1) + h) * 3 + fork
  int max_lead = 0;            ///< truncation
  double revenue = 0;          ///< the pool's relative revenue under the policy
  int ratio_iterations = 0;    ///< Dinkelbach iterations
};

/// Solves the MDP for hashrate share alpha and tie parameter gamma, truncated at max_lead.
MdpSolution solve_selfish_mining_mdp(double alpha, double gamma, int max_lead);

/// Relative revenue of a strategy in the same (truncated) model: at the truncation the strategy's
/// action is replaced by override (if ahead) or adopt.
double mdp_strategy_revenue(double alpha, double gamma, int max_lead, const Strategy& strategy);

}  // namespace dltsim::selfish
