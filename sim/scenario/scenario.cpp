#include "sim/scenario/scenario.hpp"

namespace dltsim {

const EnumNames<Contention>& contention_names() {
  static const EnumNames<Contention> names{{Contention::none, "none"},
                                           {Contention::upload, "upload"},
                                           {Contention::upload_download, "upload_download"}};
  return names;
}

const EnumNames<DelayLaw>& delay_law_names() {
  static const EnumNames<DelayLaw> names{{DelayLaw::fixed, "fixed"}, {DelayLaw::exponential, "exponential"}};
  return names;
}

const EnumNames<PeerGroups>& peer_groups_names() {
  static const EnumNames<PeerGroups> names{{PeerGroups::prefix, "prefix"}, {PeerGroups::as, "as"}};
  return names;
}

const EnumNames<PowerDistribution>& power_distribution_names() {
  static const EnumNames<PowerDistribution> names{{PowerDistribution::equal, "equal"},
                                                  {PowerDistribution::normal, "normal"},
                                                  {PowerDistribution::shares, "shares"},
                                                  {PowerDistribution::pools, "pools"}};
  return names;
}

const EnumNames<SelectBy>& select_by_names() {
  static const EnumNames<SelectBy> names{{SelectBy::count, "count"},
                                         {SelectBy::fraction, "fraction"},
                                         {SelectBy::power_share, "power_share"},
                                         {SelectBy::region, "region"},
                                         {SelectBy::ids, "ids"},
                                         {SelectBy::ases, "ases"},
                                         {SelectBy::top_ases, "top_ases"},
                                         {SelectBy::top_prefixes, "top_prefixes"},
                                         {SelectBy::top_degree, "top_degree"},
                                         {SelectBy::top_power, "top_power"}};
  return names;
}

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
