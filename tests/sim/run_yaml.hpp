#pragma once
// Runs a scenario given as YAML text, without writing a result file (simulation tests).

#include <string>

#include "sim/run/builtin_extensions.hpp"
#include "sim/run/simulation.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace dltsim::testing {

/// The run of the scenario `yaml`, with the built-in protocols and attacks.
inline RunResult run_yaml(const std::string& yaml) {
  const Scenario sc = load_scenario(ScenarioInput{"<test>", yaml, {}}, builtin_catalog());
  RunOptions options;
  options.write_output = false;
  return run_simulation(sc, builtin_catalog(), options);
}

}  // namespace dltsim::testing
