#include "attacks/selfish_mining/optimal_policy.hpp"

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/Sparse>
#include <Eigen/SparseLU>
#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <stdexcept>

namespace dltsim::selfish {

namespace {

// The MDP's moves: the four actions of Sapirshtein et al., and racing as SM1 to the end of the race.
enum class Move : std::uint8_t { adopt, override_, match, wait, sm1_race };
constexpr std::array<Move, 5> kMoves{Move::adopt, Move::override_, Move::match, Move::wait, Move::sm1_race};
// A strategy's Action converts to the Move of the same name.
static_assert(static_cast<int>(Move::adopt) == static_cast<int>(Action::adopt) &&
              static_cast<int>(Move::override_) == static_cast<int>(Action::override_) &&
              static_cast<int>(Move::match) == static_cast<int>(Action::match) &&
              static_cast<int>(Move::wait) == static_cast<int>(Action::wait));

struct Transition {
  int next;
  double p;
  double pool;    // blocks the pool gets locked into the main chain
  double honest;  // blocks the honest network gets locked in
};

// Up to three transitions and the expected number of block events the move lasts.
struct Outcome {
  std::array<Transition, 3> t{};
  int count = 0;
  double duration = 1;
  void add(int next, double p, double pool, double honest) {
    t[static_cast<std::size_t>(count++)] = {next, p, pool, honest};
  }
};

// Gains and biases of one policy for the pool's and the honest network's rewards.
struct Evaluation {
  double gain_pool = 0;
  double gain_honest = 0;
  Eigen::VectorXd bias_pool;
  Eigen::VectorXd bias_honest;
  double revenue() const { return gain_pool / (gain_pool + gain_honest); }
};

class SelfishMdp {
 public:
  SelfishMdp(double alpha, double gamma, int max_lead) : alpha_(alpha), gamma_(gamma), t_(max_lead) {
    for (int s = 0; s < states(); ++s) natural_order_.push_back(s);
    sweep_order_ = natural_order_;
    std::stable_sort(sweep_order_.begin(), sweep_order_.end(), [this](int x, int y) {
      const RaceState a = state(x), b = state(y);
      return a.a + a.h > b.a + b.h;
    });
  }

  int states() const { return 3 * (t_ + 1) * (t_ + 1); }
  int max_lead() const { return t_; }
  int index(int a, int h, Fork f) const { return (a * (t_ + 1) + h) * 3 + static_cast<int>(f); }
  RaceState state(int s) const {
    const int f = s % 3, ah = s / 3;
    return RaceState{static_cast<std::uint32_t>(ah / (t_ + 1)), static_cast<std::uint32_t>(ah % (t_ + 1)),
                     static_cast<Fork>(f)};
  }

  bool feasible(const RaceState& s, Move m) const {
    const int a = static_cast<int>(s.a), h = static_cast<int>(s.h);
    const bool room = a < t_ && h < t_;
    switch (m) {
      case Move::adopt:
        return true;
      case Move::override_:
        return a > h;
      case Move::match:
        return s.fork == Fork::relevant && a >= h && h >= 1 && room;
      case Move::wait:
        return room && (s.fork != Fork::active || a >= h);  // active needs a >= h
      case Move::sm1_race:
        return a >= h + 2;
    }
    return false;
  }

  Outcome outcome(const RaceState& s, Move m) const {
    Outcome o;
    const int a = static_cast<int>(s.a), h = static_cast<int>(s.h);
    const double al = alpha_, ho = 1 - alpha_;
    switch (m) {
      case Move::adopt:
        o.add(index(1, 0, Fork::irrelevant), al, 0, h);
        o.add(index(0, 1, Fork::relevant), ho, 0, h);
        break;
      case Move::override_: {
        const int rest = a - h - 1;
        o.add(index(rest + 1, 0, Fork::irrelevant), al, h + 1.0, 0);
        o.add(index(rest, 1, Fork::relevant), ho, h + 1.0, 0);
        break;
      }
      case Move::match:
      case Move::wait:
        if (m == Move::match || s.fork == Fork::active) {
          // The honest network is split: a share gamma of it mines on the pool's published blocks.
          o.add(index(a + 1, h, Fork::active), al, 0, 0);
          o.add(index(a - h, 1, Fork::relevant), gamma_ * ho, h, 0);
          o.add(index(a, h + 1, Fork::relevant), (1 - gamma_) * ho, 0, 0);
        } else {
          o.add(index(a + 1, h, Fork::irrelevant), al, 0, 0);
          o.add(index(a, h + 1, Fork::relevant), ho, 0, 0);
        }
        break;
      case Move::sm1_race: {
        // From a lead of two or more SM1 cannot lose: each block moves the lead by +-1 (with any
        // gamma: an honest block on the pool's published prefix also costs one), and when it falls
        // to one the pool publishes all. First passage from lead L to 1 takes (L - 1) / (1 - 2 alpha)
        // blocks, alpha of them the pool's; then the override takes one more block event.
        const double passage = (a - h - 1) / (1 - 2 * al);
        o.duration = passage + 1;
        const double pool = a + al * passage;  // every pool block of the race; no honest one
        o.add(index(1, 0, Fork::irrelevant), al, pool, 0);
        o.add(index(0, 1, Fork::relevant), ho, pool, 0);
        break;
      }
    }
    return o;
  }

  // Average reward per block event (gain) and bias for both reward streams: (I - P) v + g tau = r
  // with v(reference) = 0, the gain in the reference's column. One factorisation, two solves.
  Evaluation evaluate(const std::vector<Move>& policy) const {
    const int n = states();
    const int ref = index(0, 0, Fork::irrelevant);
    std::vector<Eigen::Triplet<double>> entries;
    entries.reserve(static_cast<std::size_t>(n) * 5);
    Eigen::MatrixXd rhs(n, 2);
    for (int s = 0; s < n; ++s) {
      const Outcome o = outcome(state(s), policy[static_cast<std::size_t>(s)]);
      double pool = 0, honest = 0;
      if (s != ref) entries.emplace_back(s, s, 1.0);
      entries.emplace_back(s, ref, o.duration);
      for (int i = 0; i < o.count; ++i) {
        const Transition& t = o.t[static_cast<std::size_t>(i)];
        pool += t.p * t.pool;
        honest += t.p * t.honest;
        if (t.next != ref) entries.emplace_back(s, t.next, -t.p);
      }
      rhs(s, 0) = pool;
      rhs(s, 1) = honest;
    }
    Eigen::SparseMatrix<double, Eigen::RowMajor> m(n, n);
    m.setFromTriplets(entries.begin(), entries.end());
    const Eigen::MatrixXd x = solve_linear(m, rhs);
    Evaluation e;
    e.gain_pool = x(ref, 0);
    e.gain_honest = x(ref, 1);
    e.bias_pool = x.col(0);
    e.bias_honest = x.col(1);
    e.bias_pool(ref) = 0;
    e.bias_honest(ref) = 0;
    return e;
  }

  // Solves m x = rhs. BiCGSTAB with an incomplete-LU preconditioner, started from the previous
  // policy's solution (consecutive policies differ in few states), is 10x faster than a sparse LU
  // here: gamma's transitions back to the start of a race make the LU fill in. A sparse LU is the
  // fallback if the iteration does not converge.
  Eigen::MatrixXd solve_linear(const Eigen::SparseMatrix<double, Eigen::RowMajor>& m,
                               const Eigen::MatrixXd& rhs) const {
    const auto n = m.rows();
    Eigen::BiCGSTAB<Eigen::SparseMatrix<double, Eigen::RowMajor>, Eigen::IncompleteLUT<double>> iterative;
    iterative.setTolerance(1e-13);
    iterative.setMaxIterations(2000);
    iterative.compute(m);
    Eigen::MatrixXd x(n, rhs.cols());
    bool ok = iterative.info() == Eigen::Success;
    for (Eigen::Index c = 0; ok && c < rhs.cols(); ++c) {
      if (warm_start_.rows() == n) {
        x.col(c) = iterative.solveWithGuess(rhs.col(c), warm_start_.col(c));
      } else {
        x.col(c) = iterative.solve(rhs.col(c));
      }
      ok = iterative.info() == Eigen::Success;
    }
    if (!ok) {
      const Eigen::SparseMatrix<double> cm = m;
      Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
      lu.compute(cm);
      if (lu.info() != Eigen::Success)
        throw std::runtime_error("selfish-mining MDP: policy evaluation failed");
      x = lu.solve(rhs);
    }
    warm_start_ = x;
    return x;
  }

  // Policy improvement for the rewards (1 - rho) pool - rho honest at the policy's own ratio rho
  // (whose gain is then zero, so durations drop out of the comparison). Only strict improvements
  // count, so ties never cycle. With gauss_seidel, each state's new value is used at once, states
  // taken from the longest races down: an improvement then travels along a whole race in one sweep
  // instead of one state per policy evaluation (the slow creep of plain policy iteration near
  // alpha = 1/2). Returns whether any state changed.
  bool improve(const Evaluation& e, std::vector<Move>& policy, bool gauss_seidel) const {
    const double rho = e.revenue();
    Eigen::VectorXd v = (1 - rho) * e.bias_pool - rho * e.bias_honest;
    const int ref = index(0, 0, Fork::irrelevant);
    bool changed = false;
    for (int s : gauss_seidel ? sweep_order_ : natural_order_) {
      const RaceState st = state(s);
      const auto q_value = [&](Move m) {
        const Outcome o = outcome(st, m);
        double q = 0;
        for (int i = 0; i < o.count; ++i) {
          const Transition& t = o.t[static_cast<std::size_t>(i)];
          q += t.p * ((1 - rho) * t.pool - rho * t.honest + v(t.next));
        }
        return q;
      };
      Move& current = policy[static_cast<std::size_t>(s)];
      double best = q_value(current);
      for (Move m : kMoves) {
        if (m == current || !feasible(st, m)) continue;
        const double q = q_value(m);
        if (q > best + 1e-12 * (1 + std::fabs(best))) {
          best = q;
          current = m;
          changed = true;
        }
      }
      if (gauss_seidel && s != ref) v(s) = best;
    }
    return changed;
  }

  // SM1 in the model, exactly: racing as SM1 wherever the pool leads by two, SM1's moves elsewhere.
  Move sm1_move(const RaceState& s, const Strategy& sm1) const {
    if (feasible(s, Move::sm1_race)) return Move::sm1_race;
    return clamp(s, sm1.decide(s));
  }

  // A strategy's action, made feasible at the truncation.
  Move clamp(const RaceState& s, Action act) const {
    const auto m = static_cast<Move>(act);
    if (feasible(s, m)) return m;
    return s.a > s.h ? Move::override_ : Move::adopt;
  }

 private:
  double alpha_;
  double gamma_;
  int t_;
  mutable Eigen::MatrixXd warm_start_;  // the last evaluation's solution
  std::vector<int> natural_order_;
  std::vector<int> sweep_order_;  // by a + h, longest races first
};

void check(double alpha, double gamma) {
  if (!(alpha > 0 && alpha < 0.5)) throw std::invalid_argument("alpha must be in (0, 0.5)");
  if (!(gamma >= 0 && gamma <= 1)) throw std::invalid_argument("gamma must be in [0, 1]");
}

// Policy iteration on the ratio (Dinkelbach's method with one improvement step per ratio): the
// ratio never decreases, and the policy is optimal when no state can improve (plain improvement
// against the exact evaluation). Each step first tries the bolder Gauss-Seidel improvement and keeps
// it when it raises the ratio; otherwise it takes the plain step, whose gain is guaranteed.
double solve(const SelfishMdp& mdp, std::vector<Move>& policy, int& evaluations) {
  Evaluation e = mdp.evaluate(policy);
  ++evaluations;
  for (int iteration = 0; iteration < 10000; ++iteration) {
    std::vector<Move> plain = policy;
    if (!mdp.improve(e, plain, false)) return e.revenue();
    std::vector<Move> bold = policy;
    mdp.improve(e, bold, true);
    Evaluation next = mdp.evaluate(bold);
    ++evaluations;
    if (next.revenue() > e.revenue()) {
      policy = std::move(bold);
    } else {
      policy = std::move(plain);
      next = mdp.evaluate(policy);
      ++evaluations;
    }
    e = std::move(next);
  }
  throw std::runtime_error("selfish-mining MDP: policy iteration did not converge");
}

// The starting policy of a model: the previous (smaller) model's where it has one, SM1 elsewhere.
std::vector<Move> initial_policy(const SelfishMdp& mdp, const SelfishMdp* previous,
                                 const std::vector<Move>& previous_policy) {
  const auto sm1 = make_rule_strategy("sm1", {});
  std::vector<Move> policy(static_cast<std::size_t>(mdp.states()));
  for (int s = 0; s < mdp.states(); ++s) {
    const RaceState st = mdp.state(s);
    Move m = mdp.sm1_move(st, *sm1);
    if (previous != nullptr && static_cast<int>(st.a) <= previous->max_lead() &&
        static_cast<int>(st.h) <= previous->max_lead()) {
      const Move before = previous_policy[static_cast<std::size_t>(
          previous->index(static_cast<int>(st.a), static_cast<int>(st.h), st.fork))];
      if (mdp.feasible(st, before)) m = before;
    }
    policy[static_cast<std::size_t>(s)] = m;
  }
  return policy;
}

// The policy as the simulation plays it: racing as SM1 becomes SM1's move in that state (the
// simulation decides again after every block, which can only do as well: it is the same optimal
// policy, consulted at each step).
std::vector<Action> playable(const SelfishMdp& mdp, const std::vector<Move>& policy) {
  const auto sm1 = make_rule_strategy("sm1", {});
  std::vector<Action> table(policy.size());
  for (int s = 0; s < mdp.states(); ++s) {
    const Move m = policy[static_cast<std::size_t>(s)];
    table[static_cast<std::size_t>(s)] =
        m == Move::sm1_race ? sm1->decide(mdp.state(s)) : static_cast<Action>(m);
  }
  return table;
}

}  // namespace

double mdp_strategy_revenue(double alpha, double gamma, int max_lead, const Strategy& strategy) {
  check(alpha, gamma);
  if (max_lead < 2) throw std::invalid_argument("max_lead must be at least 2");
  const SelfishMdp mdp(alpha, gamma, max_lead);
  std::vector<Move> policy(static_cast<std::size_t>(mdp.states()));
  for (int s = 0; s < mdp.states(); ++s) {
    policy[static_cast<std::size_t>(s)] = mdp.clamp(mdp.state(s), strategy.decide(mdp.state(s)));
  }
  return mdp.evaluate(policy).revenue();
}

double mdp_sm1_revenue(double alpha, double gamma, int max_lead) {
  check(alpha, gamma);
  if (max_lead < 2) throw std::invalid_argument("max_lead must be at least 2");
  const SelfishMdp mdp(alpha, gamma, max_lead);
  return mdp.evaluate(initial_policy(mdp, nullptr, {})).revenue();
}

MdpSolution solve_selfish_mining_mdp(double alpha, double gamma, const MdpOptions& options) {
  check(alpha, gamma);
  MdpSolution sol;
  if (options.max_lead > 0) {
    if (options.max_lead < 2) throw std::invalid_argument("max_lead must be at least 2");
    const SelfishMdp mdp(alpha, gamma, options.max_lead);
    std::vector<Move> policy = initial_policy(mdp, nullptr, {});
    sol.revenue = solve(mdp, policy, sol.evaluations);
    sol.max_lead = options.max_lead;
    sol.converged = true;
    sol.policy = playable(mdp, policy);
    return sol;
  }
  // Double the truncation until the value settles; each model starts from the previous optimum.
  std::unique_ptr<SelfishMdp> previous;
  std::vector<Move> previous_policy;
  double previous_value = 0;
  for (int t = 8; t <= options.max_lead_limit; t *= 2) {
    auto mdp = std::make_unique<SelfishMdp>(alpha, gamma, t);
    std::vector<Move> policy = initial_policy(*mdp, previous.get(), previous_policy);
    const double value = solve(*mdp, policy, sol.evaluations);
    sol.revenue = value;
    sol.max_lead = t;
    sol.policy = playable(*mdp, policy);
    if (previous) {
      sol.change = value - previous_value;
      if (sol.change <= options.tolerance) {
        sol.converged = true;
        break;
      }
    }
    previous = std::move(mdp);
    previous_policy = std::move(policy);
    previous_value = value;
  }
  return sol;
}

}  // namespace dltsim::selfish
