#include "sim/net/network_preset.hpp"

namespace dltsim {

NetworkPreset bitcoin_2019_preset();

void register_builtin_presets(PresetRegistry& registry) {
  registry.add(bitcoin_2019_preset());
}

}  // namespace dltsim
