#include "protocols/praos/praos_config.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace dltsim::praos {

namespace {

// The shared relay parameter `name` with another default and doc.
void redefault(std::vector<ParamSpec>& specs, const std::string& name, std::string value, std::string doc) {
  const auto it =
      std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& p) { return p.name == name; });
  if (it == specs.end()) throw std::logic_error("praos: no relay parameter " + name);
  it->default_value = std::move(value);
  it->doc = std::move(doc);
}

}  // namespace

std::vector<ParamSpec> param_specs() {
  std::vector<ParamSpec> specs{
      param::duration("slot_length", "1 s", at_least(1e-3),
                      "length of a slot (Cardano mainnet since Shelley, July 2020: 1 s; "
                      "mainnet-shelley-genesis.json slotLength)"),
      param::real("active_slot_coefficient", 0.05, Range{0, 1, true, false},
                  "f: the probability that a slot has a leader when all stake takes part; a stakeholder with "
                  "relative stake alpha leads a slot with probability 1 - (1 - f)^alpha (Cardano mainnet: "
                  "0.05, activeSlotsCoeff)"),
      param::integer("settlement_depth", 2160, between(1, 1000000),
                     "k: a block with k blocks on top of it is settled; a reorg deeper than k at an honest "
                     "node is a settlement failure (Cardano mainnet: securityParam 2160)"),
  };
  std::vector<ParamSpec> relay = longest_chain::relay_param_specs();
  redefault(relay, "block_size", "65536 B",
            "block size (Cardano's maxBlockBodySize at Shelley, 65,536 bytes: full blocks, an upper bound "
            "on the average)");
  redefault(relay, "compact_blocks", "false",
            "BIP 152 compact block relay (Cardano has none: a node announces a header and its peers fetch "
            "the block, as inv and getdata)");
  redefault(relay, "tie_break", "vrf",
            "between chains of equal length: keep the first seen, pick at random, let the attacker win with "
            "probability tie_gamma (the adversary's power over several leaders of a slot), or take the tip "
            "with the lower VRF output (ouroboros-consensus's Praos tiebreaker before Conway)");
  redefault(relay, "download_timeout_base", "1",
            "wait for a requested block, in mean block intervals (slot_length / f), before asking the next "
            "peer that announced it (Bitcoin Core's rule, kept from the shared relay)");
  specs.insert(specs.end(), relay.begin(), relay.end());
  return specs;
}

SlotParams read_slots(const ParamValues& v) {
  return SlotParams{v.number("slot_length"), v.number("active_slot_coefficient")};
}

longest_chain::Config read_config(const ParamValues& v) {
  longest_chain::Config c{};
  const SlotParams slots = read_slots(v);
  c.block_interval_s = slots.slot_s / slots.f;  // one slot in 1/f has a leader when all stake takes part
  longest_chain::read_relay_config(v, c);
  c.settlement_depth = static_cast<std::uint32_t>(v.integer("settlement_depth"));
  return c;
}

}  // namespace dltsim::praos
