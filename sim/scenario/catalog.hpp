#pragma once
// The registries a scenario is validated against and run with: protocols, attacks, network presets.

#include <string>
#include <vector>

#include "sim/adversary/attack.hpp"
#include "sim/adversary/theory_registry.hpp"
#include "sim/interconnect/bridge.hpp"
#include "sim/net/network_preset.hpp"
#include "sim/node/protocol.hpp"

namespace dltsim {

/// All extension registries.
struct Catalog {
  ProtocolRegistry protocols{"protocol"};  ///< consensus protocols
  AttackRegistry attacks{"attack"};        ///< attacks
  PresetRegistry presets{"network preset"};
  TheoryRegistry theories{"theory"};           ///< closed forms
  BridgeRegistry bridges{"bridge mechanism"};  ///< links between ledgers (multi-ledger runs)

  /// True if `attack` can run on `protocol` (its families hold the protocol's, or it names none).
  bool attack_fits(const AttackInfo& attack, const ProtocolInfo& protocol) const;
  /// Protocols `attack` can run on, in registration order.
  std::vector<std::string> protocols_for(const AttackInfo& attack) const;
};

}  // namespace dltsim
