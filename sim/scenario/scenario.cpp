#include "sim/scenario/scenario.hpp"

namespace dltsim {

std::string ScenarioWarning::message() const {
  return ScenarioError(where, key_path, detail).what();
}

ScenarioError Scenario::error_at(const std::string& key_path, const std::string& detail) const {
  // The key itself, else its nearest recorded parent ("attacks[1].nodes" -> "attacks[1]" -> "").
  std::string path = key_path;
  while (true) {
    if (const auto it = locations.find(path); it != locations.end()) {
      return ScenarioError(it->second, key_path, detail);
    }
    const auto cut = path.find_last_of(".[");
    if (cut == std::string::npos) break;
    path.resize(cut);
  }
  return ScenarioError(SourceLocation{source_name, 0, 0}, key_path, detail);
}

}  // namespace dltsim
