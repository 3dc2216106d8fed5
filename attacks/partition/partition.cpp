// A network partition (Apostolaki, Zohar and Vanbever, IEEE S&P 2017): from start to end every
// message between the attack's nodes (side A, chosen by any node selection: a region, ids, a count,
// a power share) and the other nodes (side B) is lost, as when a BGP hijack diverts the traffic
// between the two sides to an attacker that drops it. Both sides keep mining on their own chain.
// At the heal the cut connections work again and, with `resync` (the default), both ends announce
// their head as Bitcoin Core does on a new connection, so the lighter side fetches the heavier chain
// at once; without it the sides only learn of each other with the next block.
//
// Results: blocks mined on each side during the partition, those orphaned once the network agrees
// again (off the final main chain), the deepest orphaned fork, and the time from the heal until
// every node has the winning side's last block from before the heal.

#include <algorithm>
#include <cmath>
#include <vector>

#include "attacks/common/private_chain_pool.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

struct SideRow {
  std::uint16_t attack;
  std::uint8_t side;  // 0: the attack's nodes (A), 1: the others (B)
  std::uint32_t nodes;
  double power_share;
  std::uint32_t blocks;
  std::uint32_t orphaned;
  std::uint32_t fork_depth;
};

TableSchema side_schema() {
  return {"partition_sides",
          "Network partitions: per side, nodes, power, blocks mined during the partition and orphaned after",
          sizeof(SideRow),
          {DLTSIM_COLUMN(SideRow, attack, "", "index of the attack in the scenario"),
           DLTSIM_COLUMN(SideRow, side, "", "0: the attack's nodes (side A), 1: every other node (side B)"),
           DLTSIM_COLUMN(SideRow, nodes, "nodes", "nodes on this side"),
           DLTSIM_COLUMN(SideRow, power_share, "", "share of consensus power on this side"),
           DLTSIM_COLUMN(SideRow, blocks, "blocks", "blocks this side mined during the partition"),
           DLTSIM_COLUMN(SideRow, orphaned, "blocks", "of those, blocks off the final main chain"),
           DLTSIM_COLUMN(SideRow, fork_depth, "blocks",
                         "longest orphaned branch of this side's blocks (blocks from its fork point)")}};
}

class PartitionAttack final : public Attack, public MessageFilter {
 public:
  explicit PartitionAttack(const AttackSetup& setup)
      : consensus_(attacks::require_nakamoto(setup.consensus, "partition")),
        network_(setup.network),
        label_(setup.label),
        index_(setup.index),
        start_s_(setup.spec.start_s),
        end_s_(setup.spec.end_s),
        resync_(setup.spec.params.flag("resync")),
        side_a_(setup.network.size(), false),
        table_(setup.recorder.table(side_schema())) {
    for (const NodeId id : setup.nodes) side_a_[id] = true;
  }

  MessageFilter* filter() override { return this; }

  FilterVerdict on_send(Message& msg, double /*now_s*/) override {
    FilterVerdict v;
    v.drop = active_ && side_a_[msg.from] != side_a_[msg.to];
    dropped_ += v.drop ? 1 : 0;
    return v;
  }

  void on_start(Runtime& runtime) override {
    runtime.call_at(start_s_, [this] { active_ = true; });
    runtime.call_at(end_s_, [this, &runtime] { heal(runtime); });
  }

  void finish(Summary& summary) override {
    const BlockTree& tree = consensus_.tree();
    const BlockId main = consensus_.metrics().main_head();
    const std::vector<bool> on_main = tree.chain_flags(main);
    std::uint32_t blocks[2] = {0, 0}, orphaned[2] = {0, 0}, depth[2] = {0, 0};
    for (BlockId b = 1; b < tree.size(); ++b) {
      const Block& block = tree.get(b);
      if (block.time_s < start_s_ || block.time_s >= end_s_) continue;
      const int side = side_a_[block.producer] ? 0 : 1;
      ++blocks[side];
      if (on_main[b]) continue;
      ++orphaned[side];
      BlockId fork = b;  // its branch's fork point: the first ancestor on the main chain
      while (!on_main[fork]) fork = tree.get(fork).parent;
      depth[side] = std::max(depth[side], block.height - tree.get(fork).height);
    }
    double power[2] = {0, 0};
    std::uint32_t nodes[2] = {0, 0};
    for (NodeId i = 0; i < side_a_.size(); ++i) {
      const int side = side_a_[i] ? 0 : 1;
      ++nodes[side];
      power[side] += consensus_.power_share(i);
    }
    for (int side = 0; side < 2; ++side) {
      Recorder::append(table_, SideRow{index_, static_cast<std::uint8_t>(side), nodes[side], power[side],
                                       blocks[side], orphaned[side], depth[side]});
    }
    const auto key = [this](const char* name) { return label_ + "_" + name; };
    summary.set(key("dropped"), static_cast<std::int64_t>(dropped_), "messages",
                "messages lost across the cut");
    summary.set(key("power_share_a"), power[0], "", "consensus power share of the attack's nodes (side A)");
    summary.mark_proportions({key("power_share_a")});
    summary.set(key("blocks_a"), static_cast<std::int64_t>(blocks[0]), "blocks",
                "side A's blocks during the partition");
    summary.set(key("blocks_b"), static_cast<std::int64_t>(blocks[1]), "blocks",
                "side B's blocks during the partition");
    summary.set(key("orphaned_a"), static_cast<std::int64_t>(orphaned[0]), "blocks",
                "side A's partition blocks off the final main chain");
    summary.set(key("orphaned_b"), static_cast<std::int64_t>(orphaned[1]), "blocks",
                "side B's partition blocks off the final main chain");
    summary.set(key("fork_depth"), static_cast<std::int64_t>(std::max(depth[0], depth[1])), "blocks",
                "longest orphaned branch mined during the partition");
    summary.set(key("reconverge_s"), reconverge_s(tree, main), "s",
                "from the heal until every node had the winning chain's last block from before it (0: no "
                "block was mined during the partition; NaN: not within the run)");
  }

 private:
  void heal(Runtime& runtime) {
    active_ = false;
    healed_ = true;
    if (!resync_) return;
    // Each cut connection once, from its side-A end, in node and peer order (reproducible).
    for (NodeId a = 0; a < side_a_.size(); ++a) {
      if (!side_a_[a]) continue;
      for (const PeerLink& p : network_.topology().peers(a)) {
        if (!side_a_[p.peer]) runtime.reconnected(a, p.peer);
      }
    }
  }

  double reconverge_s(const BlockTree& tree, BlockId main) const {
    if (!healed_) return std::nan("");  // the run ended before the heal
    // The winning chain's last block produced before the heal.
    BlockId w = main;
    while (w != 0 && tree.get(w).time_s >= end_s_) w = tree.get(w).parent;
    if (w == 0 || tree.get(w).time_s < start_s_) return 0.0;  // nothing mined during the partition
    const double all_s = consensus_.metrics().held_by_all_s(w);
    return std::isnan(all_s) ? all_s : std::max(0.0, all_s - end_s_);
  }

  nakamoto::NakamotoConsensus& consensus_;
  const Network& network_;
  std::string label_;
  std::uint16_t index_;
  double start_s_;
  double end_s_;
  bool resync_;
  std::vector<bool> side_a_;
  TableWriter* table_;
  bool active_ = false;
  bool healed_ = false;
  std::uint64_t dropped_ = 0;
};

}  // namespace

void register_partition(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "partition";
  info.summary =
      "the network drops every message between the attack's nodes and the others from start to end (a "
      "BGP hijack cut), then heals";
  info.params = {
      param::boolean("resync", true,
                     "at the heal, both ends of each cut connection announce their head (Bitcoin "
                     "Core on a new connection); false: the sides hear of each other with the next "
                     "block")};
  info.tables = {"partition_sides"};
  // Not the BFT protocols yet: they do not retransmit lost messages (real PBFT resends view changes,
  // Tendermint gossips votes), so after a heal they stall in this model where the real ones recover.
  info.protocols = {"nakamoto", "praos"};
  info.make = [](const AttackSetup& setup) { return std::make_unique<PartitionAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
