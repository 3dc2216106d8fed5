#pragma once
// What the attacks that listen for transaction origins share: their parameters (how many reports
// the graph estimators keep, which transactions' sightings are logged) and the observer they feed.

#include <memory>
#include <vector>

#include "protocols/longest_chain/longest_chain_consensus.hpp"
#include "sim/adversary/attack.hpp"
#include "sim/tx/origin_observer.hpp"

namespace dltsim::attacks {

/// The parameters every observing attack has.
std::vector<ParamSpec> observer_params();

/// An attack that scores origin guesses at the end of the run.
class ObservingAttack : public Attack {
 public:
  /// Reads the common parameters; `name` is the attack's (for errors).
  ObservingAttack(const AttackSetup& setup, const char* name);
  void finish(Summary& summary) override { observer_.finish(summary, network_.topology()); }

 protected:
  /// The run's longest-chain state.
  longest_chain::LongestChainConsensus& consensus_;
  /// The network.
  Network& network_;
  /// Reports and guesses.
  OriginObserver observer_;
};

}  // namespace dltsim::attacks
