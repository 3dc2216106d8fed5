#include "attacks/selfish_mining/strategy.hpp"

#include <functional>
#include <stdexcept>

namespace dltsim::selfish {

namespace {

// Eyal and Sirer's SM1 (their Algorithm 1) in race-state form:
// - after an honest block: behind -> adopt; even -> match (a tie, the race "0'"); ahead by one ->
//   override (publish all, lead was 2); further ahead -> match (reveal up to the honest height);
// - after the pool's block: win a tie race by publishing (a == h + 1 while active), else wait.
Action sm1(const RaceState& s) {
  const auto a = static_cast<long>(s.a), h = static_cast<long>(s.h);
  switch (s.fork) {
    case Fork::relevant:
      if (a < h) return Action::adopt;
      if (a == h) return Action::match;
      if (a == h + 1) return Action::override_;
      return Action::match;
    case Fork::active:
      return a == h + 1 ? Action::override_ : Action::wait;
    case Fork::irrelevant:
      return Action::wait;
  }
  return Action::wait;
}

// Publishes every block at once and follows the longest chain: revenue = hashrate share.
Action honest(const RaceState& s) {
  if (s.a > s.h) return Action::override_;
  if (s.h > s.a) return Action::adopt;
  return Action::wait;
}

// Lead-stubborn: when ahead and the honest network finds a block, only match (never override).
Action lead_stubborn(const RaceState& s) {
  if (s.fork == Fork::relevant && s.a >= s.h) return Action::match;
  return sm1(s);
}

// Equal-fork-stubborn: in a tie race, a new pool block is kept private instead of winning the race.
Action equal_fork_stubborn(const RaceState& s) {
  if (s.fork == Fork::active) return Action::wait;
  return sm1(s);
}

// Trail-stubborn T_j: when behind by at most j, keep mining the private chain; on catching up
// (a == h after a pool block) reveal it for a tie.
Action trail_stubborn(const RaceState& s, int depth) {
  const auto a = static_cast<long>(s.a), h = static_cast<long>(s.h);
  if (s.fork == Fork::relevant && a < h) return h - a <= depth ? Action::wait : Action::adopt;
  if (s.fork == Fork::irrelevant && a == h && h >= 1) return Action::match;
  return sm1(s);
}

class RuleStrategy final : public Strategy {
 public:
  explicit RuleStrategy(std::function<Action(const RaceState&)> rule) : rule_(std::move(rule)) {}
  Action decide(const RaceState& s) const override { return rule_(s); }

 private:
  std::function<Action(const RaceState&)> rule_;
};

struct NamedRule {
  std::string name;
  std::function<Action(const RaceState&, const StrategyOptions&)> rule;
};

const std::vector<NamedRule>& rules() {
  static const std::vector<NamedRule> table{
      {"honest", [](const RaceState& s, const StrategyOptions&) { return honest(s); }},
      {"sm1", [](const RaceState& s, const StrategyOptions&) { return sm1(s); }},
      {"lead_stubborn", [](const RaceState& s, const StrategyOptions&) { return lead_stubborn(s); }},
      {"equal_fork_stubborn",
       [](const RaceState& s, const StrategyOptions&) { return equal_fork_stubborn(s); }},
      {"trail_stubborn",
       [](const RaceState& s, const StrategyOptions& o) { return trail_stubborn(s, o.trail_depth); }},
  };
  return table;
}

}  // namespace

const std::vector<std::string>& rule_strategy_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& r : rules()) n.push_back(r.name);
    return n;
  }();
  return names;
}

std::unique_ptr<Strategy> make_rule_strategy(const std::string& name, const StrategyOptions& options) {
  for (const auto& r : rules()) {
    if (r.name == name) {
      auto rule = r.rule;
      return std::make_unique<RuleStrategy>([rule, options](const RaceState& s) { return rule(s, options); });
    }
  }
  throw std::invalid_argument("unknown selfish-mining strategy: " + name);
}

TableStrategy::TableStrategy(std::vector<Action> table, int max_lead)
    : table_(std::move(table)), max_lead_(max_lead), fallback_(make_rule_strategy("sm1", {})) {}

Action TableStrategy::decide(const RaceState& s) const {
  const auto a = static_cast<int>(s.a), h = static_cast<int>(s.h);
  if (a > max_lead_ || h > max_lead_) return fallback_->decide(s);
  return table_[static_cast<std::size_t>((a * (max_lead_ + 1) + h) * 3 + static_cast<int>(s.fork))];
}

}  // namespace dltsim::selfish
