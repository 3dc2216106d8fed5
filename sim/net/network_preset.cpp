#include "sim/net/network_preset.hpp"

namespace dltsim {

NetworkPreset bitcoin_2019_preset();

const EnumNames<LatencyModel>& latency_model_names() {
  static const EnumNames<LatencyModel> names{{LatencyModel::fixed, "fixed"},
                                             {LatencyModel::pareto, "pareto"}};
  return names;
}

void register_builtin_presets(PresetRegistry& registry) {
  registry.add(bitcoin_2019_preset());
}

}  // namespace dltsim
