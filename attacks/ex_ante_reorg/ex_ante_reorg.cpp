// Ex-ante reorg on Gasper (Schwarz-Schilling, Neu, Monnot, Asgaonkar, Tas, Tse, "Three attacks on
// proof-of-stake Ethereum", FC 2022). When the adversary proposes a slot, it withholds the block and
// its validators' votes for it (and keeps extending the private chain while it proposes the next
// slots too). Just before the next honest slot starts it releases them all, timed (`release_before`)
// so that the honest proposer has already built on the public head but every attester has the
// withheld chain before the honest block. The honest attesters then weigh the withheld chain (the
// adversary's committee shares of its l slots, l b of a committee) against the honest block's
// proposer boost: above it they vote for the withheld chain and the honest block is orphaned.
//
// Results (table ex_ante_attempts, summary ex_ante_reorg_*): per release, the slots withheld, the
// adversary's committee weight in them, the honest block it raced and whether that block was
// orphaned while the withheld chain stayed canonical; with the closed forms of the paper's
// threshold (l b > boost) and of the chance that a slot makes a single-slot reorg feasible,
// b P(Bin(k, b) > boost k) for committee size k.

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include <boost/math/distributions/binomial.hpp>

#include "attacks/common/attack_scope.hpp"
#include "protocols/gasper/gasper_consensus.hpp"
#include "protocols/gasper/gasper_node.hpp"
#include "sim/core/error.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

using gasper::Aggregate;
using gasper::GasperConsensus;
using gasper::GasperNode;

struct AttemptRow {
  std::uint16_t attack;
  std::uint64_t first_slot;
  std::uint32_t withheld;
  double committee_share;
  std::uint64_t honest_slot;
  std::uint32_t honest_block;
  std::uint8_t success;
};

TableSchema attempt_schema() {
  return {"ex_ante_attempts",
          "Every release of withheld blocks by an ex-ante reorg attack",
          sizeof(AttemptRow),
          {DLTSIM_COLUMN(AttemptRow, attack, "", "index of the attack in the scenario"),
           DLTSIM_COLUMN(AttemptRow, first_slot, "", "the first withheld slot"),
           DLTSIM_COLUMN(AttemptRow, withheld, "slots", "l: consecutive slots withheld"),
           DLTSIM_COLUMN(AttemptRow, committee_share, "",
                         "the adversary's votes for the withheld chain, in committees (about l b)"),
           DLTSIM_COLUMN(AttemptRow, honest_slot, "", "the honest slot raced (first after the withheld)"),
           DLTSIM_COLUMN(AttemptRow, honest_block, "", "its block id (0: none was made)"),
           DLTSIM_COLUMN(AttemptRow, success, "",
                         "1 if that block is orphaned and the withheld chain is canonical at the end")}};
}

GasperConsensus& require_gasper(Consensus& consensus) {
  auto* g = dynamic_cast<GasperConsensus*>(&consensus);
  if (g == nullptr) throw Error("attack 'ex_ante_reorg' needs the gasper protocol");
  return *g;
}

class ExAnteReorg;

// An adversary's node: proposes into the private chain and holds its votes while one is withheld.
class WithholdingNode final : public GasperNode {
 public:
  WithholdingNode(GasperConsensus& consensus, NodeId id, ExAnteReorg& attack)
      : GasperNode(consensus, id), attack_(attack) {}
  void propose(NodeContext& ctx, std::uint64_t slot) override;
  void cast_vote(NodeContext& ctx, const Aggregate& vote) override;
  // The honest behaviours, for outside the attack's window.
  void honest_propose(NodeContext& ctx, std::uint64_t slot) { GasperNode::propose(ctx, slot); }
  void honest_vote(NodeContext& ctx, const Aggregate& vote) { GasperNode::cast_vote(ctx, vote); }
  NodeId id() const { return id_; }

 private:
  ExAnteReorg& attack_;
};

class ExAnteReorg final : public Attack {
 public:
  explicit ExAnteReorg(const AttackSetup& setup)
      : consensus_(require_gasper(setup.consensus)),
        scope_(setup),
        release_before_s_(setup.spec.params.number("release_before")),
        table_(setup.recorder.table(attempt_schema())) {
    // Before any node is made: the honest nodes' vote books separate the adversary's class.
    for (const NodeId n : scope_.nodes) consensus_.mark_adversarial(n);
  }

  std::unique_ptr<Protocol> make_node(NodeId id, std::unique_ptr<Protocol> /*honest*/) override {
    auto node = std::make_unique<WithholdingNode>(consensus_, id, *this);
    consensus_.set_node(id, node.get());
    nodes_.push_back(node.get());
    return node;
  }

  void on_start(Runtime& runtime) override { runtime_ = &runtime; }

  bool withholding() const { return !withheld_.empty(); }

  void propose(WithholdingNode& node, NodeContext& ctx, std::uint64_t slot) {
    if (!scope_.active_at(ctx.now_s())) {
      node.honest_propose(ctx, slot);
      return;
    }
    const BlockId parent = withheld_.empty() ? node.head(ctx) : withheld_.back();
    const BlockId b = consensus_.produce(node.id(), slot, parent, node.known_aggregates(), ctx.now_s());
    ctx.count_produced();
    for (WithholdingNode* n : nodes_) n->learn_block(runtime_->context(n->id()), b);  // one pool
    if (withheld_.empty()) first_slot_ = slot;
    withheld_.push_back(b);
    // The next adversarial proposer extends the private chain; before an honest one, release.
    const NodeId next = consensus_.committees().proposer(slot + 1);
    if (!consensus_.adversarial(next)) {
      const double at_s = std::max(ctx.now_s(), consensus_.slot_start_s(slot + 1) - release_before_s_);
      runtime_->call_at(at_s, [this, &node] { release(node); });
    }
  }

  void vote(WithholdingNode& node, NodeContext& ctx, const Aggregate& honest) {
    if (withheld_.empty()) {
      node.honest_vote(ctx, honest);
      return;
    }
    // For the private tip, held back with the blocks.
    const gasper::BeaconBlocks& blocks = consensus_.blocks();
    const BlockId tip = withheld_.back();
    const std::uint64_t epoch = honest.slot / consensus_.config().slots_per_epoch;
    Aggregate v = honest;
    v.head = tip;
    v.target = blocks.checkpoint(tip, epoch);
    v.source = blocks.state(tip).current_justified;
    held_.push_back(v);
  }

  void finish(Summary& summary) override {
    const gasper::Config& cfg = consensus_.config();
    const BlockId head = consensus_.canonical_head();
    const std::vector<bool> canonical = consensus_.blocks().tree().chain_flags(head);
    std::uint64_t successes = 0, single = 0, single_successes = 0;
    // The honest block of each slot (at most one: an honest proposer makes one block).
    const gasper::BeaconBlocks& blocks = consensus_.blocks();
    std::vector<BlockId> honest_of_slot;
    for (BlockId b = 1; b < blocks.size(); ++b) {
      if (consensus_.adversarial(blocks.tree().get(b).producer)) continue;
      if (blocks.slot(b) >= honest_of_slot.size()) honest_of_slot.resize(blocks.slot(b) + 1, 0);
      honest_of_slot[blocks.slot(b)] = b;
    }
    for (Attempt& a : attempts_) {
      a.row.honest_block = a.row.honest_slot < honest_of_slot.size() ? honest_of_slot[a.row.honest_slot] : 0;
      a.row.success = a.row.honest_block != 0 && !canonical[a.row.honest_block] && canonical[a.tip] ? 1 : 0;
      successes += a.row.success;
      if (a.row.withheld == 1) {
        ++single;
        single_successes += a.row.success;
      }
      Recorder::append(table_, a.row);
    }
    const std::string& l = scope_.label;
    const double n = static_cast<double>(attempts_.size());
    summary.set(l + "_attempts", static_cast<std::uint64_t>(attempts_.size()), "",
                "releases of withheld blocks before an honest slot");
    summary.set(l + "_successes", successes, "",
                "of those, honest blocks orphaned with the withheld chain canonical");
    summary.set_number(l + "_success_rate", n > 0 ? static_cast<double>(successes) / n : std::nan(""), "",
                       "successes / attempts", "no attempt");
    summary.set(l + "_single_slot_attempts", single, "", "attempts with one withheld slot");
    summary.set(l + "_single_slot_successes", single_successes, "", "of those, successes");
    // Closed forms (Schwarz-Schilling et al. 2022): b is the adversary's stake share.
    double mine = 0;
    for (const NodeId v : scope_.nodes) mine += consensus_.committees().validators_of(v);
    const double b = mine / static_cast<double>(cfg.validators);
    const auto k = static_cast<double>(cfg.validators / cfg.slots_per_epoch);
    const boost::math::binomial_distribution<double> committee(k, b);
    // P(Bin(k, b) > boost k): more than the boost's worth of one committee's votes.
    const double above =
        boost::math::cdf(boost::math::complement(committee, std::floor(cfg.proposer_boost * k)));
    summary.set(l + "_stake_share", b, "", "b: the adversary's share of the validators");
    summary.set(l + "_theory_feasible_per_slot", b * above, "",
                "b P(Bin(k, b) > boost k): the chance that a slot is the adversary's and its committee share "
                "beats the boost (k: validators per slot)");
  }

 private:
  struct Attempt {
    AttemptRow row;
    BlockId tip;
  };

  void release(WithholdingNode& node) {
    if (withheld_.empty()) return;
    NodeContext& ctx = runtime_->context(node.id());
    for (const BlockId b : withheld_) node.publish_block(ctx, b);
    // One aggregate per distinct vote, as an aggregator of the adversary's own would make.
    double stake = 0;
    for (const Aggregate& v : held_) stake += v.stake;
    for (const Aggregate& m : gasper::aggregate_votes(held_))
      node.publish_aggregate(ctx, consensus_.add_aggregate(m));
    Attempt a{};
    a.row.attack = scope_.index;
    a.row.first_slot = first_slot_;
    a.row.withheld = static_cast<std::uint32_t>(withheld_.size());
    a.row.committee_share = stake / consensus_.committee_weight();
    a.row.honest_slot = consensus_.blocks().slot(withheld_.back()) + 1;
    a.tip = withheld_.back();
    attempts_.push_back(a);
    withheld_.clear();
    held_.clear();
  }

  GasperConsensus& consensus_;
  attacks::AttackScope scope_;
  double release_before_s_;
  TableWriter* table_;
  Runtime* runtime_ = nullptr;
  std::vector<WithholdingNode*> nodes_;
  std::vector<BlockId> withheld_;
  std::vector<Aggregate> held_;
  std::uint64_t first_slot_ = 0;
  std::vector<Attempt> attempts_;
};

void WithholdingNode::propose(NodeContext& ctx, std::uint64_t slot) {
  attack_.propose(*this, ctx, slot);
}

void WithholdingNode::cast_vote(NodeContext& ctx, const Aggregate& vote) {
  attack_.vote(*this, ctx, vote);
}

}  // namespace

void register_ex_ante_reorg(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "ex_ante_reorg";
  info.summary =
      "Gasper: withhold the adversary's blocks and votes, release them just before the next honest slot so "
      "that its block is orphaned unless the proposer boost outweighs them (Schwarz-Schilling et al. 2022)";
  info.params = {
      param::real("stake", 0.2, Range{0, 1, true, false}, "b: the adversary's share of the validators"),
      param::duration("release_before", "10 ms", between(0, 12),
                      "how long before the next honest slot starts the withheld chain and votes go out: less "
                      "than the delay to the honest proposer (so that it builds on the public head) and "
                      "enough for them to reach the attesters before the honest block"),
  };
  info.tables = {"ex_ante_attempts"};
  info.power_param = "stake";
  info.families = {gasper::kFamily};
  info.make = [](const AttackSetup& setup) { return std::make_unique<ExAnteReorg>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
