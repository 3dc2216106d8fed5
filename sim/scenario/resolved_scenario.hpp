#pragma once
// The scenario as the run used it, every default resolved: the preset's regions, latency matrix
// and degree distribution as applied, every parameter of the protocol and attacks with its value,
// the stop condition, the seed. Written into the result file's provenance, so a result says what
// it ran even when the scenario relied on defaults that later change.

#include <string>

#include "sim/scenario/catalog.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

/// The resolved scenario as YAML (a valid scenario with the same meaning; the output path left out,
/// as it is not part of the experiment).
std::string resolved_scenario_yaml(const Scenario& scenario, const Catalog& catalog);

}  // namespace dltsim
