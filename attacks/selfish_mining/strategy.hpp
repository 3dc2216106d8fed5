#pragma once
// Selfish-mining strategies as functions of the race state (a, h, fork label) to one of
// Sapirshtein et al.'s actions. The rule-based strategies are Eyal and Sirer's SM1 and the stubborn
// variants of Nayak et al. ("Stubborn Mining", EuroS&P 2016); the optimal one is a table from the
// MDP (optimal_policy.hpp). "honest" publishes every block at once: the control.

#include <memory>
#include <string>
#include <vector>

#include <cstdint>

#include "attacks/common/race_state.hpp"

namespace dltsim::selfish {

using attacks::Fork;
using attacks::RaceState;

/// What the pool does after a block event.
enum class Action : std::uint8_t {
  adopt,      ///< give up the private chain
  override_,  ///< publish h + 1 blocks (needs a > h)
  match,      ///< publish h blocks for a tie (needs a >= h >= 1)
  wait,       ///< keep mining privately
};

/// A selfish-mining strategy.
class Strategy {
 public:
  virtual ~Strategy() = default;
  /// The action in a state.
  virtual Action decide(const RaceState& s) const = 0;
};

/// Parameters a strategy may use.
struct StrategyOptions {
  int trail_depth = 1;  ///< trail_stubborn: how far behind the pool keeps racing
};

/// Names of the rule-based strategies ("honest", "sm1", "lead_stubborn", "equal_fork_stubborn",
/// "trail_stubborn"); "optimal" is made from an MDP solution.
const std::vector<std::string>& rule_strategy_names();

/// A rule-based strategy by name.
std::unique_ptr<Strategy> make_rule_strategy(const std::string& name, const StrategyOptions& options);

/// A strategy that looks actions up in a table indexed by (a, h, fork) up to max_lead, and plays SM1
/// beyond it.
class TableStrategy final : public Strategy {
 public:
  /// table[(a * (max_lead + 1) + h) * 3 + fork].
  TableStrategy(std::vector<Action> table, int max_lead);
  Action decide(const RaceState& s) const override;

 private:
  std::vector<Action> table_;
  int max_lead_;
  std::unique_ptr<Strategy> fallback_;
};

}  // namespace dltsim::selfish
