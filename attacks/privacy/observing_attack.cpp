#include "attacks/privacy/observing_attack.hpp"

#include "attacks/transactions/tx_attack_common.hpp"
#include "sim/net/network.hpp"

namespace dltsim::attacks {

std::vector<ParamSpec> observer_params() {
  return {
      param::integer("reports_kept", 8, between(1, 64),
                     "distinct senders kept per transaction, earliest first (the graph estimators use them)"),
      param::real("log_fraction", 0, between(0, 1),
                  "share of transactions (every k-th id) whose every sighting goes to tx_observations")};
}

ObservingAttack::ObservingAttack(const AttackSetup& setup, const char* name)
    : consensus_(require_transactions(setup.consensus, name)),
      network_(setup.network),
      observer_(
          *consensus_.transactions(), setup.recorder,
          ObserverOptions{setup.label, setup.index,
                          static_cast<std::uint32_t>(setup.spec.params.integer("reports_kept")),
                          setup.spec.params.number("log_fraction"), setup.spec.start_s, setup.spec.end_s}) {}

}  // namespace dltsim::attacks
