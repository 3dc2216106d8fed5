// The rule-based selfish-mining strategies in the states where they differ.

#include <catch2/catch.hpp>

#include "attacks/selfish_mining/strategy.hpp"

using namespace dltsim;
using attacks::Fork;
using selfish::Action;

namespace {
Action act(const char* name, std::uint32_t a, std::uint32_t h, Fork f, int trail = 1) {
  selfish::StrategyOptions o;
  o.trail_depth = trail;
  return selfish::make_rule_strategy(name, o)->decide(attacks::RaceState{a, h, f});
}
}  // namespace

TEST_CASE("SM1 follows Eyal and Sirer's algorithm") {
  CHECK(act("sm1", 0, 1, Fork::relevant) == Action::adopt);      // behind: adopt
  CHECK(act("sm1", 1, 1, Fork::relevant) == Action::match);      // lead 1 lost it: race (state 0')
  CHECK(act("sm1", 2, 1, Fork::relevant) == Action::override_);  // lead 2: publish all
  CHECK(act("sm1", 4, 1, Fork::relevant) == Action::match);      // larger lead: reveal one
  CHECK(act("sm1", 2, 1, Fork::active) == Action::override_);    // won the race: publish
  CHECK(act("sm1", 1, 0, Fork::irrelevant) == Action::wait);     // just found one: keep it
}

TEST_CASE("stubborn variants differ from SM1 where Nayak et al. say") {
  CHECK(act("lead_stubborn", 2, 1, Fork::relevant) == Action::match);     // never override on an honest block
  CHECK(act("equal_fork_stubborn", 2, 1, Fork::active) == Action::wait);  // keep racing after a tie
  CHECK(act("trail_stubborn", 1, 2, Fork::relevant, 1) == Action::wait);  // behind by one: keep going
  CHECK(act("trail_stubborn", 1, 3, Fork::relevant, 1) == Action::adopt);    // behind by two: give up
  CHECK(act("trail_stubborn", 2, 2, Fork::irrelevant, 1) == Action::match);  // caught up: reveal for a tie
}

TEST_CASE("honest publishes at once") {
  CHECK(act("honest", 1, 0, Fork::irrelevant) == Action::override_);
  CHECK(act("honest", 0, 1, Fork::relevant) == Action::adopt);
}

TEST_CASE("unknown strategy names are rejected") {
  CHECK_THROWS(selfish::make_rule_strategy("greedy", {}));
}
