#include "protocols/praos/praos_consensus.hpp"

#include <cmath>

#include "protocols/praos/praos_config.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/metrics/summary.hpp"

namespace dltsim::praos {

namespace {

struct SlotRow {
  std::uint64_t slot;
  double time_s;
  std::uint32_t leaders;
  std::uint32_t blocks;
  std::uint8_t main;
};

TableSchema slot_schema() {
  return {"slots",
          "Slots with at least one leader, up to the end of production (the others had none)",
          sizeof(SlotRow),
          {DLTSIM_COLUMN(SlotRow, slot, "", "slot number (slot s starts at s x slot_length)"),
           DLTSIM_COLUMN(SlotRow, time_s, "s", "when it started"),
           DLTSIM_COLUMN(SlotRow, leaders, "", "stakeholders that led it"),
           DLTSIM_COLUMN(SlotRow, blocks, "blocks",
                         "blocks made in it (a leader whose chain already had one "
                         "of this slot builds beside it)"),
           DLTSIM_COLUMN(SlotRow, main, "", "1 if a main-chain block is in it")}};
}

}  // namespace

std::vector<std::string> praos_table_names() {
  std::vector<std::string> names = chain_table_names();
  names.push_back("slots");
  names.push_back("settlement_failures");
  return names;
}

PraosConsensus::PraosConsensus(const ProtocolSetup& setup)
    : PraosConsensus(setup, read_slots(setup.params)) {}

PraosConsensus::PraosConsensus(const ProtocolSetup& setup, const SlotParams& slots)
    : LongestChainConsensus(setup, read_config(setup.params),
                            std::make_unique<SlotLottery>(slots.slot_s, slots.f)),
      lottery_(static_cast<SlotLottery&>(production())) {}

void PraosConsensus::finish(Summary& summary, double end_time_s) {
  LongestChainConsensus::finish(summary, end_time_s);
  const double slot_s = lottery_.slot_s();
  const double f = lottery_.f();
  // Slots observed whole: those that started before production stopped (a stop by block count
  // happens during its slot's chances, so that slot is left out).
  const double end_s = std::min(end_time_s, lottery_.stopped_s());
  const double last = std::ceil(end_s / slot_s - 1e-9) - 1;
  const std::uint64_t slots = last > 0 ? static_cast<std::uint64_t>(last) : 0;

  // Blocks per slot, and the main chain's slots.
  const BlockTree& t = tree();
  std::vector<std::uint32_t> blocks(slots + 1, 0);
  std::vector<bool> main(slots + 1, false);
  std::uint64_t forks = 0, main_blocks = 0;
  for (BlockId b = 1; b < t.size(); ++b) {
    const std::uint64_t s = lottery_.slot_at(t.get(b).time_s);
    if (s == 0 || s > slots) continue;
    ++blocks[s];
    if (t.first_child(t.get(b).parent) != b) ++forks;  // its parent already had a child
  }
  for (BlockId b = metrics().main_head(); b != 0; b = t.get(b).parent) {
    const std::uint64_t s = lottery_.slot_at(t.get(b).time_s);
    if (s > slots) continue;
    main[s] = true;
    ++main_blocks;
  }

  std::uint64_t active = 0, multi = 0, leaders = 0;
  TableWriter* table = recorder().table(slot_schema());
  for (const SlotLeaders& l : lottery_.leaders()) {
    if (l.slot > slots) break;
    ++active;
    multi += l.leaders >= 2 ? 1 : 0;
    leaders += l.leaders;
    Recorder::append(table, SlotRow{l.slot, static_cast<double>(l.slot) * slot_s, l.leaders, blocks[l.slot],
                                    static_cast<std::uint8_t>(main[l.slot])});
  }

  // The lottery's laws: P(no leader) = prod (1 - p_i) = (1 - f)^(sum of stake), P(one leader) =
  // P(none) sum p_i / (1 - p_i), mean leaders sum p_i.
  double log_none = 0, one_ratio = 0, mean = 0;
  for (NodeId i = 0; i < node_count(); ++i) {
    const double p = leader_probability(f, power_share(i));
    if (p == 0) continue;
    mean += p;
    if (p < 1) {
      log_none += std::log1p(-p);
      one_ratio += p / (1 - p);
    }
  }
  const double none = std::exp(log_none);
  const std::string why = "no slot was observed whole";
  const double n = static_cast<double>(slots);
  const auto rate = [&](double count) { return slots > 0 ? count / n : std::nan(""); };
  summary.set("slots", static_cast<std::int64_t>(slots), "",
              "slots observed (those that started before production stopped)");
  summary.set("slot_length_s", slot_s, "s", "slot length");
  summary.set("active_slot_coefficient", f, "", "f");
  summary.set("slots_led", static_cast<std::int64_t>(active), "", "slots with at least one leader");
  summary.set_number("slot_empty_rate", rate(n - static_cast<double>(active)), "",
                     "share of slots without a leader", why);
  summary.set_number("slot_multi_leader_rate", rate(static_cast<double>(multi)), "",
                     "share of slots with two leaders or more", why);
  summary.mark_proportions({"slot_empty_rate", "slot_multi_leader_rate"});
  summary.set_number("leaders_per_slot", rate(static_cast<double>(leaders)), "", "mean leaders per slot",
                     why);
  summary.set("theory_slot_empty_rate", none, "",
              "prod (1 - phi_f(alpha_i)) = (1 - f)^(stake taking part): no leader");
  summary.set("theory_slot_multi_leader_rate", 1 - none - none * one_ratio, "",
              "1 - P(none) - P(exactly one): two leaders or more");
  summary.set("theory_leaders_per_slot", mean, "", "sum of phi_f(alpha_i)");
  summary.set_number("slot_occupancy", rate(static_cast<double>(main_blocks)), "",
                     "share of slots holding a main-chain block (chain growth per slot)", why);
  summary.set("forks", static_cast<std::int64_t>(forks), "blocks",
              "blocks made on a parent that already had a child (each opens a fork)");
  summary.set_number("forks_per_slot", rate(static_cast<double>(forks)), "", "forks / slots", why);
}

}  // namespace dltsim::praos
