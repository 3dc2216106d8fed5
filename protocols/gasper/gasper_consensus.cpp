#include "protocols/gasper/gasper_consensus.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <boost/random/uniform_int_distribution.hpp>

#include "protocols/gasper/gasper_node.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim::gasper {

namespace {

struct ReorgRow {
  double time_s;
  std::uint32_t node;
  std::uint32_t depth;
  std::uint32_t old_head;
  std::uint32_t new_head;
};

TableSchema reorg_schema() {
  return {"reorgs",
          "Head changes of honest nodes to a block that does not descend from their previous head",
          sizeof(ReorgRow),
          {DLTSIM_COLUMN(ReorgRow, time_s, "s", "when"), DLTSIM_COLUMN(ReorgRow, node, "", "node"),
           DLTSIM_COLUMN(ReorgRow, depth, "blocks", "blocks of the old head's chain abandoned"),
           DLTSIM_COLUMN(ReorgRow, old_head, "", "block id of the previous head"),
           DLTSIM_COLUMN(ReorgRow, new_head, "", "block id of the new head")}};
}

struct SlotRow {
  std::uint64_t slot;
  double start_s;
  std::uint32_t proposer;
  std::uint32_t blocks;
  std::uint8_t canonical;
};

TableSchema slot_schema() {
  return {"slots",
          "Every slot from 1 to the end of the run",
          sizeof(SlotRow),
          {DLTSIM_COLUMN(SlotRow, slot, "", "slot"), DLTSIM_COLUMN(SlotRow, start_s, "s", "its start"),
           DLTSIM_COLUMN(SlotRow, proposer, "", "the node whose validator proposes"),
           DLTSIM_COLUMN(SlotRow, blocks, "blocks", "blocks made for it"),
           DLTSIM_COLUMN(SlotRow, canonical, "", "1 if the final canonical chain holds a block of it")}};
}

struct EpochRow {
  std::uint64_t epoch;
  double start_s;
  double justified_at_s;
  double finalized_at_s;
  double target_share;
};

TableSchema epoch_schema() {
  return {"epochs",
          "FFG checkpoints of each epoch on the final canonical chain",
          sizeof(EpochRow),
          {DLTSIM_COLUMN(EpochRow, epoch, "", "epoch"),
           DLTSIM_COLUMN(EpochRow, start_s, "s", "its first slot's start"),
           DLTSIM_COLUMN(EpochRow, justified_at_s, "s",
                         "time of the first canonical block whose state has it (or a later epoch) justified; "
                         "NaN: never"),
           DLTSIM_COLUMN(EpochRow, finalized_at_s, "s", "the same for finalised; NaN: never"),
           DLTSIM_COLUMN(EpochRow, target_share, "",
                         "share of all stake whose attestations with this epoch's canonical checkpoint as "
                         "target the canonical chain includes")}};
}

}  // namespace

std::vector<Aggregate> aggregate_votes(const std::vector<Aggregate>& votes) {
  std::vector<Aggregate> merged;
  for (const Aggregate& v : votes) {
    auto same = [&](const Aggregate& m) {
      return m.slot == v.slot && m.head == v.head && m.target == v.target && m.source == v.source &&
             m.cls == v.cls;
    };
    if (auto it = std::find_if(merged.begin(), merged.end(), same); it != merged.end()) {
      it->stake += v.stake;
    } else {
      merged.push_back(v);
    }
  }
  return merged;
}

std::vector<std::string> gasper_table_names() {
  return {"slots", "epochs", "reorgs"};
}

GasperConsensus::GasperConsensus(const ProtocolSetup& setup)
    : config_(read_config(setup.params)),
      recorder_(setup.recorder),
      seeds_(setup.seeds),
      node_count_(setup.node_count),
      blocks_(config_.slots_per_epoch),
      committees_(split_validators(setup.power_shares, config_.validators), config_.slots_per_epoch,
                  setup.seeds.child("duties")),
      adversarial_(setup.node_count, false),
      block_refs_{std::make_shared<const ItemRef>(0)},
      included_(1),
      nodes_(setup.node_count, nullptr),
      reorg_table_(setup.recorder.table(reorg_schema())),
      slot_table_(setup.recorder.table(slot_schema())),
      epoch_table_(setup.recorder.table(epoch_schema())) {
  types_.block = setup.message_types.add("beacon_block");
  types_.attestation = setup.message_types.add("attestation");
  types_.aggregate = setup.message_types.add("aggregate");
}

GasperConsensus::~GasperConsensus() = default;

std::unique_ptr<Protocol> GasperConsensus::make_node(NodeId id) {
  auto node = std::make_unique<GasperNode>(*this, id);
  nodes_[id] = node.get();
  return node;
}

double GasperConsensus::committee_weight() const {
  return static_cast<double>(config_.validators) / config_.slots_per_epoch;
}

std::vector<double> GasperConsensus::class_stake() const {
  std::vector<double> stake(kVoteClasses, 0.0);
  for (NodeId n = 0; n < node_count_; ++n) stake[adversarial_[n] ? 1 : 0] += committees_.validators_of(n);
  return stake;
}

void GasperConsensus::mark_adversarial(NodeId node) {
  adversarial_[node] = true;
}

NodeId GasperConsensus::aggregator(std::uint64_t slot) {
  // Every attester of the slot asks; the draw is the same each time, so it is made once.
  if (slot != aggregator_slot_) {
    const std::vector<Member>& c = committees_.committee(slot);
    Rng rng = seeds_.child("aggregators").child(slot).rng();
    aggregator_ = c[boost::random::uniform_int_distribution<std::size_t>(0, c.size() - 1)(rng)].node;
    aggregator_slot_ = slot;
  }
  return aggregator_;
}

AggregateId GasperConsensus::add_aggregate(const Aggregate& a) {
  const auto id = static_cast<AggregateId>(aggregates_.size());
  aggregates_.push_back(a);
  aggregate_refs_.push_back(std::make_shared<const ItemRef>(id));
  return id;
}

void GasperConsensus::on_start(Runtime& runtime) {
  runtime_ = &runtime;
  runtime.call_at(slot_start_s(1), [this] { slot_tick(1); });
}

void GasperConsensus::slot_tick(std::uint64_t slot) {
  if (!runtime_->producing()) return;
  const double start_s = slot_start_s(slot);
  const NodeId p = committees_.proposer(slot);
  nodes_[p]->propose(runtime_->context(p), slot);
  runtime_->call_at(start_s + config_.attestation_deadline_s, [this, slot] {
    for (const Member& m : committees_.committee(slot))
      nodes_[m.node]->attest_deadline(runtime_->context(m.node), slot);
  });
  runtime_->call_at(start_s + config_.aggregation_deadline_s, [this, slot] {
    const NodeId a = aggregator(slot);
    nodes_[a]->publish_aggregates(runtime_->context(a), slot);
  });
  runtime_->call_at(slot_start_s(slot + 1), [this, slot] { slot_tick(slot + 1); });
}

FfgState GasperConsensus::epoch_transition(const FfgState& state, BlockId parent, std::uint64_t epoch) const {
  EpochVotes v;
  v.current_epoch = epoch;
  v.total_stake = static_cast<double>(config_.validators);
  v.current = blocks_.checkpoint(parent, epoch);
  v.previous = epoch > 0 ? blocks_.checkpoint(parent, epoch - 1) : v.current;
  const std::uint64_t from_slot = (epoch > 0 ? epoch - 1 : 0) * config_.slots_per_epoch;
  for (BlockId b = parent; b != 0 && blocks_.slot(b) >= from_slot; b = blocks_.parent(b)) {
    for (const AggregateId id : included_[b]) {
      const Aggregate& a = aggregates_[id];
      if (a.target == v.current) v.current_target += a.stake;
      if (epoch > 0 && a.target == v.previous) v.previous_target += a.stake;
    }
  }
  return process_justification_and_finalization(state, v);
}

BlockId GasperConsensus::produce(NodeId proposer, std::uint64_t slot, BlockId parent,
                                 const std::vector<AggregateId>& known, double now_s) {
  const std::uint32_t spe = config_.slots_per_epoch;
  const std::uint64_t epoch = slot / spe;
  FfgState state = blocks_.state(parent);
  for (std::uint64_t e = blocks_.epoch(parent); e < epoch; ++e) state = epoch_transition(state, parent, e);
  // What the chain already includes (an attestation is included once, within an epoch of its slot).
  std::vector<AggregateId> on_chain;
  for (BlockId b = parent; b != 0 && blocks_.slot(b) + spe + 1 >= slot; b = blocks_.parent(b)) {
    on_chain.insert(on_chain.end(), included_[b].begin(), included_[b].end());
  }
  std::sort(on_chain.begin(), on_chain.end());
  std::vector<AggregateId> include;
  for (const AggregateId id : known) {
    const Aggregate& a = aggregates_[id];
    if (a.slot >= slot || a.slot + spe < slot) continue;  // MIN_ATTESTATION_INCLUSION_DELAY, SLOTS_PER_EPOCH
    if (a.target.epoch != epoch && a.target.epoch + 1 != epoch) continue;
    // process_attestation: the source must be the state's justified checkpoint for that epoch.
    const Checkpoint& source = a.target.epoch == epoch ? state.current_justified : state.previous_justified;
    if (a.source != source) continue;
    if (!blocks_.is_ancestor(a.head, parent) && a.head != parent) continue;  // a vote for another branch
    if (std::binary_search(on_chain.begin(), on_chain.end(), id)) continue;
    include.push_back(id);
  }
  std::sort(include.begin(), include.end());
  include.erase(std::unique(include.begin(), include.end()), include.end());
  const BlockId b =
      blocks_.add(parent, proposer, slot, now_s, config_.block_size_bytes, state, adversarial_[proposer]);
  block_refs_.push_back(std::make_shared<const ItemRef>(b));
  included_.push_back(std::move(include));
  blocks_.set_unrealized(b, epoch_transition(state, b, epoch));
  return b;
}

void GasperConsensus::on_arrival(NodeId node, BlockId b, double now_s) {
  if (node == blocks_.tree().get(b).producer || adversarial_[node]) return;
  arrival_delay_.add(now_s - slot_start_s(blocks_.slot(b)));
}

void GasperConsensus::on_head_change(NodeId node, BlockId old_head, BlockId new_head, double now_s) {
  if (adversarial_[node] || blocks_.is_ancestor(old_head, new_head)) return;
  const BlockTree& tree = blocks_.tree();
  const BlockId common = tree.common_ancestor(old_head, new_head);
  const std::uint32_t depth = tree.get(old_head).height - tree.get(common).height;
  ++reorgs_;
  max_reorg_depth_ = std::max(max_reorg_depth_, depth);
  Recorder::append(reorg_table_, ReorgRow{now_s, node, depth, old_head, new_head});
}

BlockId GasperConsensus::canonical_head() {
  std::map<BlockId, std::uint32_t> votes;
  for (NodeId n = 0; n < node_count_; ++n) {
    if (!adversarial_[n] && runtime_ != nullptr) ++votes[nodes_[n]->head(runtime_->context(n))];
  }
  BlockId head = 0;
  std::uint32_t most = 0;
  for (const auto& [h, c] : votes) {
    if (c > most) head = h, most = c;
  }
  return head;
}

std::uint64_t GasperConsensus::last_slot(double end_time_s) const {
  // A block of a slot starting at the very end has not left its proposer.
  const double ended = std::ceil(end_time_s / config_.slot_s - 1e-9) - 1;
  return ended > 0 ? static_cast<std::uint64_t>(ended) : 0;
}

void GasperConsensus::finish(Summary& summary, double end_time_s) {
  const std::uint32_t spe = config_.slots_per_epoch;
  const BlockId head = canonical_head();
  const std::vector<bool> canonical = blocks_.tree().chain_flags(head);
  const std::uint64_t last_slot = this->last_slot(end_time_s);

  std::vector<std::uint32_t> made(last_slot + 1, 0);
  std::vector<std::uint8_t> held(last_slot + 1, 0);
  for (BlockId b = 1; b < blocks_.size(); ++b) {
    const std::uint64_t s = blocks_.slot(b);
    if (s > last_slot) continue;
    ++made[s];
    if (canonical[b]) held[s] = 1;
  }
  std::uint64_t with_block = 0;
  for (std::uint64_t s = 1; s <= last_slot; ++s) {
    with_block += held[s];
    Recorder::append(slot_table_, SlotRow{s, slot_start_s(s), committees_.proposer(s), made[s], held[s]});
  }

  // Justification and finality along the canonical chain, and the included target votes.
  std::vector<BlockId> chain;
  for (BlockId b = head; b != 0; b = blocks_.parent(b)) {
    if (blocks_.slot(b) <= last_slot) chain.push_back(b);
  }
  std::reverse(chain.begin(), chain.end());
  const std::uint64_t last_epoch = last_slot / spe;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> justified_at(last_epoch + 1, nan), finalized_at(last_epoch + 1, nan);
  std::vector<double> target(last_epoch + 1, 0.0);
  justified_at[0] = finalized_at[0] = 0;
  double included_stake = 0;
  const std::uint64_t counted_until = last_slot > spe ? last_slot - spe : 0;  // room left to include
  for (const BlockId b : chain) {
    const FfgState& s = blocks_.state(b);
    const double t = blocks_.tree().get(b).time_s;
    for (std::uint64_t e = 0; e <= std::min<std::uint64_t>(s.current_justified.epoch, last_epoch); ++e) {
      if (std::isnan(justified_at[e])) justified_at[e] = t;
    }
    for (std::uint64_t e = 0; e <= std::min<std::uint64_t>(s.finalized.epoch, last_epoch); ++e) {
      if (std::isnan(finalized_at[e])) finalized_at[e] = t;
    }
    for (const AggregateId id : included_[b]) {
      const Aggregate& a = aggregates_[id];
      if (a.target.epoch <= last_epoch && canonical[a.target.root] &&
          blocks_.checkpoint(head, a.target.epoch) == a.target) {
        target[a.target.epoch] += a.stake;
      }
      if (a.slot >= 1 && a.slot <= counted_until) included_stake += a.stake;
    }
  }
  double finality_sum = 0;
  std::uint64_t finalized_epochs = 0, unfinalized = 0;
  for (std::uint64_t e = 0; e <= last_epoch; ++e) {
    const double start_s = slot_start_s(e * spe);
    Recorder::append(epoch_table_, EpochRow{e, start_s, justified_at[e], finalized_at[e],
                                            target[e] / static_cast<double>(config_.validators)});
    if (e < 2) continue;  // epochs 0 and 1 are never processed (the spec starts at epoch 2's end)
    if (!std::isnan(finalized_at[e])) {
      finality_sum += finalized_at[e] - start_s;
      ++finalized_epochs;
    } else if (e + 2 <= last_epoch) {
      ++unfinalized;  // it had two full epochs to be finalised
    }
  }
  const FfgState& final_state = blocks_.state(head);
  const double slots = static_cast<double>(last_slot);
  summary.set("slots", last_slot, "slots", "slots from 1 to the end of the run");
  summary.set("slots_with_block", with_block, "slots",
              "of those, slots whose block the canonical chain holds");
  summary.set_number("slot_occupancy", slots > 0 ? static_cast<double>(with_block) / slots : nan, "",
                     "slots_with_block / slots", "no slot ended");
  std::uint64_t produced = 0;
  for (std::uint64_t s = 1; s <= last_slot; ++s) produced += made[s];
  summary.set("blocks_produced", produced, "blocks", "blocks proposed for those slots");
  summary.set("blocks_orphaned", produced - chain.size(), "blocks",
              "of those, blocks the canonical chain does not hold");
  summary.set("reorgs", reorgs_, "",
              "head changes of honest nodes to a block not descending from their head");
  summary.set("reorg_depth_max", static_cast<std::uint64_t>(max_reorg_depth_), "blocks",
              "the deepest of those (blocks abandoned)");
  summary.set("justified_epoch", final_state.current_justified.epoch, "",
              "the canonical head's justified epoch");
  summary.set("finalized_epoch", final_state.finalized.epoch, "", "the canonical head's finalised epoch");
  summary.set_number("time_to_finality_mean_s", finalized_epochs > 0 ? finality_sum / finalized_epochs : nan,
                     "s",
                     "mean over finalised epochs from 2 (the first the state transition processes) of the "
                     "time from the epoch's start to the first canonical block finalising it (two epochs, "
                     "768 s, when every vote is timely)",
                     "no epoch from 2 was finalised");
  summary.set("epochs_without_finality", unfinalized, "epochs",
              "epochs from 2 that ended two epochs before the run and were not finalised");
  const double expected = committee_weight() * static_cast<double>(counted_until);
  summary.set_number("attestation_inclusion", expected > 0 ? included_stake / expected : nan, "",
                     "stake of the attestations of slots 1 to end - 32 that the canonical chain includes, "
                     "over one committee per slot",
                     "the run is shorter than an epoch");
  summary.set_number("block_arrival_p50_s", arrival_delay_.count() ? arrival_delay_.quantile(0.5) : nan, "s",
                     "median delay from a block's slot start to its arrival at an honest node", "no arrival");
  summary.set_number("block_arrival_p90_s", arrival_delay_.count() ? arrival_delay_.quantile(0.9) : nan, "s",
                     "90th percentile of that delay", "no arrival");
}

}  // namespace dltsim::gasper
