#include "sim/core/error.hpp"

namespace dltsim {

std::string SourceLocation::str() const {
  if (line <= 0) return source;
  return source + ":" + std::to_string(line) + ":" + std::to_string(column);
}

static std::string format_scenario_error(const SourceLocation& where, const std::string& key_path,
                                         const std::string& detail) {
  std::string text = where.str();
  if (!key_path.empty()) text += (text.empty() ? "" : ": ") + key_path;
  return text + ": " + detail;
}

ScenarioError::ScenarioError(SourceLocation where, std::string key_path, std::string detail)
    : Error(format_scenario_error(where, key_path, detail)),
      where_(std::move(where)),
      key_path_(std::move(key_path)),
      detail_(std::move(detail)) {}

}  // namespace dltsim
