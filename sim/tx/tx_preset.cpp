#include "sim/tx/tx_preset.hpp"

namespace dltsim {

namespace {

TxPreset bitcoin_2019() {
  TxPreset p;
  p.name = "bitcoin-2019";
  p.summary = "Bitcoin's 2019 load: 3.8 transactions/s, 1 MB blocks, Bitcoin Core 0.18's relay and mempool";
  p.sources =
      "rate: about 120 million transactions confirmed in 2019, 327,000 a day = 3.8/s (Blockchain.com chart "
      "n-transactions, 2019 average, rounded); sizes: lognormal with median 250 vB and sigma 0.8 (mean 344 "
      "vB), "
      "synthetic: the shape is assumed, the mean is chosen so that 3.8/s fill about 78 % of 1,000,000 vB "
      "blocks, "
      "as 2019's blocks (about 2,300 transactions, 0.8-1 MvB) were; fee rates: lognormal with median 10 "
      "sat/vB and "
      "sigma 1.2, synthetic: a rough fit to 2019's mempool statistics (Jochen Hoenicke's mempool charts, "
      "jochen-hoenicke.de/queue); relay: Bitcoin Core 0.18 src/net_processing.cpp "
      "(INVENTORY_BROADCAST_INTERVAL 5 s, "
      "outbound half of it, INVENTORY_BROADCAST_MAX 7/s x 5 s = 35 per trickle), first-seen mempools (opt-in "
      "RBF "
      "only, modelled as first_seen), -maxmempool 300 MB, expiry 336 h, minrelaytxfee 1 sat/vB "
      "(src/policy/policy.h, src/validation.h of 0.18)";
  TxSpec& v = p.values;
  v.tx_per_s = 3.8;
  v.size_law = QuantityLaw::lognormal;
  v.size_bytes = 250;
  v.size_sigma = 0.8;
  v.fee_law = QuantityLaw::lognormal;
  v.fee_rate_sat_vb = 10;
  v.fee_sigma = 1.2;
  v.block_capacity_bytes = 1e6;
  v.relay = TxRelayMode::trickle;
  v.inbound_interval_s = 5;
  v.outbound_interval_s = 2;
  v.inv_target = 35;
  v.inv_max = 35;
  v.replace = ReplacePolicy::first_seen;
  v.min_fee_rate_sat_vb = 1;
  v.mempool_bytes = 300e6;
  v.expiry_s = 336 * 3600.0;
  return p;
}

}  // namespace

const std::vector<TxPreset>& tx_presets() {
  static const std::vector<TxPreset> presets{bitcoin_2019()};
  return presets;
}

const TxPreset* find_tx_preset(const std::string& name) {
  for (const TxPreset& p : tx_presets()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace dltsim
