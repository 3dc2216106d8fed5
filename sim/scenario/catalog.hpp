#pragma once
// The registries a scenario is validated against and run with: protocols, attacks, network presets.

#include "sim/adversary/attack.hpp"
#include "sim/net/network_preset.hpp"
#include "sim/node/protocol.hpp"

namespace dltsim {

/// All extension registries.
struct Catalog {
  ProtocolRegistry protocols{"protocol"};    ///< consensus protocols
  AttackRegistry attacks{"attack"};          ///< attacks
  PresetRegistry presets{"network preset"};  ///< network presets
};

}  // namespace dltsim
