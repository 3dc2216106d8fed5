#include "sim/tx/tx_spec.hpp"

#include <algorithm>
#include <cmath>

namespace dltsim {

double mean_tx_size_bytes(const TxSpec& spec) {
  const double mean = spec.size_law == QuantityLaw::fixed
                          ? spec.size_bytes
                          : spec.size_bytes * std::exp(spec.size_sigma * spec.size_sigma / 2);
  return std::min(mean, spec.max_size_bytes);
}

const EnumNames<OriginRule>& origin_rule_names() {
  static const EnumNames<OriginRule> names{{OriginRule::equal, "equal"},
                                           {OriginRule::shares, "shares"},
                                           {OriginRule::heavy_tailed, "heavy_tailed"},
                                           {OriginRule::cycle, "cycle"}};
  return names;
}

const EnumNames<QuantityLaw>& quantity_law_names() {
  static const EnumNames<QuantityLaw> names{{QuantityLaw::fixed, "fixed"},
                                            {QuantityLaw::lognormal, "lognormal"}};
  return names;
}

const EnumNames<TxRelayMode>& tx_relay_mode_names() {
  static const EnumNames<TxRelayMode> names{{TxRelayMode::trickle, "trickle"},
                                            {TxRelayMode::diffusion, "diffusion"}};
  return names;
}

const EnumNames<ReplacePolicy>& replace_policy_names() {
  static const EnumNames<ReplacePolicy> names{{ReplacePolicy::first_seen, "first_seen"},
                                              {ReplacePolicy::full_rbf, "full_rbf"}};
  return names;
}

const EnumNames<StemRouting>& stem_routing_names() {
  static const EnumNames<StemRouting> names{{StemRouting::per_edge, "per_edge"},
                                            {StemRouting::per_transaction, "per_transaction"}};
  return names;
}

const EnumNames<EmbargoLaw>& embargo_law_names() {
  static const EnumNames<EmbargoLaw> names{{EmbargoLaw::exponential, "exponential"},
                                           {EmbargoLaw::poisson, "poisson"},
                                           {EmbargoLaw::uniform, "uniform"}};
  return names;
}

const EnumNames<FluffRule>& fluff_rule_names() {
  static const EnumNames<FluffRule> names{{FluffRule::per_epoch, "per_epoch"},
                                          {FluffRule::per_hop, "per_hop"}};
  return names;
}

}  // namespace dltsim
