#include "sim/tx/stem_preset.hpp"

namespace dltsim {

namespace {

StemPreset make(std::string name, std::string summary, std::string sources, double q, FluffRule fluff,
                std::uint32_t relays, double epoch_s, double embargo_min_s, double embargo_s,
                EmbargoLaw law) {
  StemPreset p{std::move(name), std::move(summary), std::move(sources), {}};
  p.values.enabled = true;
  p.values.preset = p.name;
  p.values.fluff_probability = q;
  p.values.fluff = fluff;
  p.values.relays = relays;
  p.values.routing = StemRouting::per_edge;
  p.values.epoch_s = epoch_s;
  p.values.embargo_min_s = embargo_min_s;
  p.values.embargo_s = embargo_s;
  p.values.embargo_law = law;
  return p;
}

}  // namespace

const std::vector<StemPreset>& stem_presets() {
  static const std::vector<StemPreset> presets{
      make(
          "dandelion++",
          "Dandelion++ as the paper specifies it: per-epoch diffusers (q = 0.2), two relays, per-edge "
          "routing",
          "Fanti et al., Dandelion++, SIGMETRICS 2018 (arXiv 1805.11060), section 4 as Grin's "
          "doc/dandelion/dandelion.md restates it: each node picks two outbound relays per epoch of about 10 "
          "minutes, is a diffuser with probability q (recommended q <= 0.2) for the epoch, maps each inbound "
          "edge to one relay, always stems its own transactions on one relay; embargo exponential with mean "
          "T_base = -k (k - 1) delta_hop / (2 ln(1 - eps)) (Proposition 3) = 16.6 s for k = 5 hops, eps = "
          "0.1, delta_hop = 175 ms",
          0.2, FluffRule::per_epoch, 2, 600, 0, 16.6, EmbargoLaw::exponential),
      make(
          "bip156", "BIP 156 (Dandelion): a 10 % fluff coin at every hop, two destinations, per-edge routing",
          "bitcoin/bips bip-0156.mediawiki: 'select two Dandelion destinations uniformly at random ... from "
          "its list of outbound peers', routes 'reconstructed every ten minutes on average', 'a 10% chance "
          "that the Dandelion transaction becomes a typical Bitcoin transaction' at each relay, all "
          "transactions from one inbound connection to the same destination; the BIP gives no embargo value, "
          "its reference code (as carried by DigiByte's net.h) uses DANDELION_EMBARGO_MINIMUM 10 s plus "
          "DANDELION_EMBARGO_AVG_ADD 20 s (exponential)",
          0.1, FluffRule::per_hop, 2, 600, 10, 20, EmbargoLaw::exponential),
      make("monero",
           "Monero's Dandelion++ (since v0.16): 2 stems, 20 % fluff per epoch, 10 min epochs, 39 s embargo",
           "monero-project/monero src/cryptonote_config.h: CRYPTONOTE_DANDELIONPP_STEMS 2, "
           "CRYPTONOTE_DANDELIONPP_FLUFF_PROBABILITY 20 (% per node and epoch), "
           "CRYPTONOTE_DANDELIONPP_MIN_EPOCH "
           "10 (min; EPOCH_RANGE 30 s is not modelled), CRYPTONOTE_DANDELIONPP_EMBARGO_AVERAGE 39 (s, a "
           "Poisson "
           "draw); the flush delay FLUSH_AVERAGE 5 s is not modelled",
           0.2, FluffRule::per_epoch, 2, 600, 0, 39, EmbargoLaw::poisson),
      make("grin",
           "Grin's Dandelion++: one relay, 90 % stem probability per epoch, 10 min epochs, 180-210 s embargo",
           "mimblewimble/grin pool config defaults: epoch_secs 600, embargo_secs 180 (the timer adds up to "
           "30 s), "
           "stem_probability 90 (%), always_stem_our_txs true, one relay per epoch; aggregation "
           "(aggregation_secs "
           "30) is not modelled",
           0.1, FluffRule::per_epoch, 1, 600, 180, 15, EmbargoLaw::uniform)};
  return presets;
}

const StemPreset* find_stem_preset(const std::string& name) {
  for (const StemPreset& p : stem_presets()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace dltsim
