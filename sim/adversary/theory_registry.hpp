#pragma once
// Closed-form predictions registered by attacks (selfish-mining revenue, double-spend success, ...),
// evaluated by name from the command line (`dltsim theory`) and Python, with declared parameters.

#include <functional>
#include <string>
#include <vector>

#include "sim/core/params.hpp"
#include "sim/core/registry.hpp"
#include "sim/metrics/summary.hpp"

namespace dltsim {

/// One family of closed forms.
struct TheoryInfo {
  std::string name;                                     ///< e.g. "selfish_mining"
  std::string summary;                                  ///< one line, with references
  std::vector<ParamSpec> params;                        ///< inputs
  std::function<Summary(const ParamValues&)> evaluate;  ///< named results
};

/// The theory registry.
using TheoryRegistry = Registry<TheoryInfo>;

/// Parses "name=value" assignments against the entry's parameters (defaults for the rest).
ParamValues theory_arguments(const TheoryInfo& info, const std::vector<std::string>& assignments);

}  // namespace dltsim
