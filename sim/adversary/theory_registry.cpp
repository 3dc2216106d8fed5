#include "sim/adversary/theory_registry.hpp"

#include <fmt/format.h>

namespace dltsim {

ParamValues theory_arguments(const TheoryInfo& info, const std::vector<std::string>& assignments) {
  ParamValues values = default_params(info.params);
  for (const std::string& a : assignments) {
    const auto eq = a.find('=');
    if (eq == std::string::npos) throw Error(fmt::format("expected name=value, got {}", quote_value(a)));
    const std::string name = a.substr(0, eq);
    const ParamSpec* spec = find_param(info.params, name);
    if (spec == nullptr) {
      throw Error(fmt::format("{}: unknown parameter {}; allowed: {}", info.name, quote_value(name),
                              param_names(info.params)));
    }
    try {
      values.set(*spec, a.substr(eq + 1));
    } catch (const Error& e) {
      throw Error(fmt::format("{}: {}: {}", info.name, name, e.what()));
    }
  }
  return values;
}

}  // namespace dltsim
