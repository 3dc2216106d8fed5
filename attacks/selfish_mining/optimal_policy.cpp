#include "attacks/selfish_mining/optimal_policy.hpp"

#include <Eigen/Sparse>
#include <Eigen/SparseLU>
#include <array>
#include <cmath>
#include <stdexcept>

namespace dltsim::selfish {

namespace {

struct Transition {
  int next;
  double p;
  double reward_pool;    // blocks the pool gets locked into the main chain
  double reward_honest;  // blocks the honest network gets locked in
};

constexpr std::array<Action, 4> kActions{Action::adopt, Action::override_, Action::match, Action::wait};

class SelfishMdp {
 public:
  SelfishMdp(double alpha, double gamma, int max_lead) : alpha_(alpha), gamma_(gamma), t_(max_lead) {}

  int states() const { return 3 * (t_ + 1) * (t_ + 1); }
  int index(int a, int h, Fork f) const { return (a * (t_ + 1) + h) * 3 + static_cast<int>(f); }
  RaceState state(int s) const {
    const int f = s % 3, ah = s / 3;
    return RaceState{static_cast<std::uint32_t>(ah / (t_ + 1)), static_cast<std::uint32_t>(ah % (t_ + 1)),
                     static_cast<Fork>(f)};
  }

  bool feasible(const RaceState& s, Action act) const {
    const int a = static_cast<int>(s.a), h = static_cast<int>(s.h);
    const bool room = a < t_ && h < t_;
    switch (act) {
      case Action::adopt:
        return true;
      case Action::override_:
        return a > h;
      case Action::match:
        return s.fork == Fork::relevant && a >= h && h >= 1 && room;
      case Action::wait:
        return room && (s.fork != Fork::active || a >= h);  // active needs a >= h
    }
    return false;
  }

  void transitions(const RaceState& s, Action act, std::vector<Transition>& out) const {
    out.clear();
    const int a = static_cast<int>(s.a), h = static_cast<int>(s.h);
    const double al = alpha_, ho = 1 - alpha_;
    switch (act) {
      case Action::adopt:
        out.push_back({index(1, 0, Fork::irrelevant), al, 0, static_cast<double>(h)});
        out.push_back({index(0, 1, Fork::relevant), ho, 0, static_cast<double>(h)});
        return;
      case Action::override_: {
        const int rest = a - h - 1;
        out.push_back({index(rest + 1, 0, Fork::irrelevant), al, h + 1.0, 0});
        out.push_back({index(rest, 1, Fork::relevant), ho, h + 1.0, 0});
        return;
      }
      case Action::match:
      case Action::wait:
        if (act == Action::match || s.fork == Fork::active) {
          // The honest network is split: a share gamma of it mines on the pool's published blocks.
          out.push_back({index(a + 1, h, Fork::active), al, 0, 0});
          out.push_back({index(a - h, 1, Fork::relevant), gamma_ * ho, static_cast<double>(h), 0});
          out.push_back({index(a, h + 1, Fork::relevant), (1 - gamma_) * ho, 0, 0});
        } else {
          out.push_back({index(a + 1, h, Fork::irrelevant), al, 0, 0});
          out.push_back({index(a, h + 1, Fork::relevant), ho, 0, 0});
        }
        return;
    }
  }

  // Gain (average reward per block) of a policy for rewards pool * w_pool + honest * w_honest, and the
  // bias vector v (v(ref) = 0).
  double evaluate(const std::vector<Action>& policy, double w_pool, double w_honest,
                  std::vector<double>* bias) const {
    const int n = states();
    const int ref = index(0, 0, Fork::irrelevant);
    std::vector<Eigen::Triplet<double>> entries;
    entries.reserve(static_cast<std::size_t>(n) * 5);
    Eigen::VectorXd b(n);
    std::vector<Transition> tr;
    for (int s = 0; s < n; ++s) {
      transitions(state(s), policy[static_cast<std::size_t>(s)], tr);
      double reward = 0;
      if (s != ref) entries.emplace_back(s, s, 1.0);
      entries.emplace_back(s, ref, 1.0);  // the gain g sits in the reference's column
      for (const auto& t : tr) {
        reward += t.p * (w_pool * t.reward_pool + w_honest * t.reward_honest);
        if (t.next != ref) entries.emplace_back(s, t.next, -t.p);
      }
      b(s) = reward;
    }
    Eigen::SparseMatrix<double> m(n, n);
    m.setFromTriplets(entries.begin(), entries.end());
    Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
    lu.compute(m);
    if (lu.info() != Eigen::Success) throw std::runtime_error("selfish-mining MDP: policy evaluation failed");
    const Eigen::VectorXd x = lu.solve(b);
    if (bias != nullptr) {
      bias->assign(static_cast<std::size_t>(n), 0.0);
      for (int s = 0; s < n; ++s) (*bias)[static_cast<std::size_t>(s)] = s == ref ? 0.0 : x(s);
    }
    return x(ref);
  }

  double revenue(const std::vector<Action>& policy) const {
    const double pool = evaluate(policy, 1, 0, nullptr);
    const double total = evaluate(policy, 1, 1, nullptr);
    return pool / total;
  }

  // Policy iteration for rewards (1 - rho) * pool - rho * honest, from `policy`.
  void improve(double rho, std::vector<Action>& policy) const {
    std::vector<double> v;
    std::vector<Transition> tr;
    for (int iter = 0; iter < 1000; ++iter) {
      evaluate(policy, 1 - rho, -rho, &v);
      bool changed = false;
      for (int s = 0; s < states(); ++s) {
        const RaceState st = state(s);
        auto q_value = [&](Action act) {
          transitions(st, act, tr);
          double q = 0;
          for (const auto& t : tr) {
            q += t.p *
                 ((1 - rho) * t.reward_pool - rho * t.reward_honest + v[static_cast<std::size_t>(t.next)]);
          }
          return q;
        };
        Action& current = policy[static_cast<std::size_t>(s)];
        double best = q_value(current);
        for (Action act : kActions) {
          if (act == current || !feasible(st, act)) continue;
          const double q = q_value(act);
          if (q > best + 1e-12 * (1 + std::fabs(best))) {  // strict improvement only: no cycling on ties
            best = q;
            current = act;
            changed = true;
          }
        }
      }
      if (!changed) return;
    }
    throw std::runtime_error("selfish-mining MDP: policy iteration did not converge");
  }

  // A strategy's action, made feasible at the truncation.
  Action clamp(const RaceState& s, Action act) const {
    if (feasible(s, act)) return act;
    return s.a > s.h ? Action::override_ : Action::adopt;
  }

 private:
  double alpha_;
  double gamma_;
  int t_;
};

void check(double alpha, double gamma, int max_lead) {
  if (!(alpha > 0 && alpha < 0.5)) throw std::invalid_argument("alpha must be in (0, 0.5)");
  if (!(gamma >= 0 && gamma <= 1)) throw std::invalid_argument("gamma must be in [0, 1]");
  if (max_lead < 2 || max_lead > 200) throw std::invalid_argument("max_lead must be in [2, 200]");
}

std::vector<Action> strategy_table(const SelfishMdp& mdp, const Strategy& strategy) {
  std::vector<Action> policy(static_cast<std::size_t>(mdp.states()));
  for (int s = 0; s < mdp.states(); ++s) {
    const RaceState st = mdp.state(s);
    policy[static_cast<std::size_t>(s)] = mdp.clamp(st, strategy.decide(st));
  }
  return policy;
}

}  // namespace

double mdp_strategy_revenue(double alpha, double gamma, int max_lead, const Strategy& strategy) {
  check(alpha, gamma, max_lead);
  const SelfishMdp mdp(alpha, gamma, max_lead);
  return mdp.revenue(strategy_table(mdp, strategy));
}

MdpSolution solve_selfish_mining_mdp(double alpha, double gamma, int max_lead) {
  check(alpha, gamma, max_lead);
  const SelfishMdp mdp(alpha, gamma, max_lead);
  // Start from SM1 (a unichain policy) and its revenue; Dinkelbach's iteration on the ratio
  // rho -> revenue(argmax_policy[(1 - rho) pool - rho honest]) increases to the optimum.
  MdpSolution sol;
  sol.max_lead = max_lead;
  sol.policy = strategy_table(mdp, *make_rule_strategy("sm1", {}));
  double rho = mdp.revenue(sol.policy);
  for (sol.ratio_iterations = 1; sol.ratio_iterations <= 100; ++sol.ratio_iterations) {
    mdp.improve(rho, sol.policy);
    const double next = mdp.revenue(sol.policy);
    if (next - rho < 1e-10) {
      rho = std::max(rho, next);
      break;
    }
    rho = next;
  }
  sol.revenue = rho;
  return sol;
}

}  // namespace dltsim::selfish
