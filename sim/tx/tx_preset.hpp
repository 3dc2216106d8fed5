#pragma once
// Named transaction workloads from published figures (`transactions: {preset: bitcoin-2019}`).

#include <string>
#include <vector>

#include "sim/tx/tx_spec.hpp"

namespace dltsim {

/// A workload and its sources.
struct TxPreset {
  std::string name;     ///< as a scenario writes it
  std::string summary;  ///< one line
  std::string sources;  ///< where each figure comes from, and what is synthetic
  TxSpec values;        ///< the section's values it sets
};

/// Every transaction preset.
const std::vector<TxPreset>& tx_presets();
/// The preset with that name, or nullptr.
const TxPreset* find_tx_preset(const std::string& name);

}  // namespace dltsim
