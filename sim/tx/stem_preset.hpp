#pragma once
// Named parameter sets of Dandelion's stem phase (`transactions: {stem: {preset: monero}}`), each
// with its source.

#include <string>
#include <vector>

#include "sim/tx/tx_spec.hpp"

namespace dltsim {

/// A stem-phase parameter set and its sources.
struct StemPreset {
  std::string name;     ///< as a scenario writes it
  std::string summary;  ///< one line
  std::string sources;  ///< where each value comes from
  StemSpec values;      ///< the values it sets
};

/// Every stem preset.
const std::vector<StemPreset>& stem_presets();
/// The preset with that name, or nullptr.
const StemPreset* find_stem_preset(const std::string& name);

}  // namespace dltsim
