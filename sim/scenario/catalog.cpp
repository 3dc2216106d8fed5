#include "sim/scenario/catalog.hpp"

#include <algorithm>

namespace dltsim {

bool Catalog::attack_fits(const AttackInfo& attack, const ProtocolInfo& protocol) const {
  return attack.families.empty() ||
         std::find(attack.families.begin(), attack.families.end(), protocol.family) != attack.families.end();
}

std::vector<std::string> Catalog::protocols_for(const AttackInfo& attack) const {
  std::vector<std::string> names;
  for (const auto& p : protocols.entries()) {
    if (attack_fits(attack, p)) names.push_back(p.name);
  }
  return names;
}

}  // namespace dltsim
