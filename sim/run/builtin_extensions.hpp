#pragma once
// Registration entry points of the extensions shipped with dltsim. Declared here, defined in
// protocols/, attacks/ and interconnect/ (linked into the executable), so sim/ never names a protocol or
// attack.

#include "sim/scenario/catalog.hpp"

namespace dltsim {

/// Adds every protocol in protocols/.
void register_builtin_protocols(ProtocolRegistry& registry);
/// Adds every attack in attacks/.
void register_builtin_attacks(AttackRegistry& registry);
/// Adds the closed forms of attacks/theory/.
void register_builtin_theories(TheoryRegistry& registry);
/// Adds every bridge mechanism in interconnect/.
void register_builtin_bridges(BridgeRegistry& registry);
/// The catalog of all built-in protocols, attacks and network presets (built once).
const Catalog& builtin_catalog();

}  // namespace dltsim
