#pragma once
// YAML scenario -> validated Scenario. Every error is a ScenarioError naming file:line:column, the
// key path and what is allowed.

#include <string>
#include <vector>

#include "sim/scenario/catalog.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

/// A scenario document and the command-line overrides to apply to it.
struct ScenarioInput {
  std::string name;                    ///< file name for messages (or "<string>")
  std::string text;                    ///< YAML text
  std::vector<std::string> overrides;  ///< "key.path=value", applied in order
};

/// Reads a scenario file; throws Error if it cannot be read.
ScenarioInput read_scenario_file(const std::string& path);

/// Parses, applies overrides and validates.
Scenario load_scenario(const ScenarioInput& input, const Catalog& catalog);

/// Tables every run can record, whatever the protocol.
std::vector<std::string> runtime_table_names();

}  // namespace dltsim
