// A network partition (Apostolaki, Zohar and Vanbever, IEEE S&P 2017): from start to end every
// message between the attack's nodes (side A, chosen by any node selection: a region, ids, a count,
// a power share) and the other nodes (side B) is lost, as when a BGP hijack diverts the traffic
// between the two sides to an attacker that drops it. Both sides keep mining on their own chain.
// At the heal the cut connections work again and, with `resync` (the default), both ends announce
// their head as Bitcoin Core does on a new connection, so the lighter side fetches the heavier chain
// at once; without it the sides only learn of each other with the next block.
//
// The defences a real hijack meets (docs/attacks.md): an announcement as specific as the victims'
// wins only the routes on which the hijacker's path is shorter (`more_specific: false`, a share
// `routes` of the cut connections), networks doing route-origin validation reject it (`rov`), the
// hijack is detected and withdrawn (`detection`), and a private relay network among `bridges` nodes
// (FIBRE, a pool's backbone) carries their traffic around it. Which connections are captured is
// fixed per node pair for the whole attack (pair_uniform), so it does not depend on message order.
//
// Results: blocks mined on each side during the partition, those orphaned once the network agrees
// again (off the final main chain), the deepest orphaned fork, the time from the heal until every
// node has the winning side's last block from before the heal, and the share of cut connections
// captured.

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <boost/random/exponential_distribution.hpp>

#include "attacks/common/attack_scope.hpp"
#include "attacks/common/private_chain_pool.hpp"
#include "attacks/partition/bft_partition.hpp"
#include "protocols/bft/bft_consensus.hpp"
#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

// A full mesh grows as k^2: this bounds it well above a relay network's size (FIBRE ran a few dozen
// nodes) and below what would swamp the peer graph.
constexpr std::size_t kMaxBridges = 1000;

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
      : consensus_(dynamic_cast<longest_chain::LongestChainConsensus*>(&setup.consensus)),
        scope_(setup),
        heal_s_(setup.spec.end_s),
        resync_(setup.spec.params.flag("resync")),
        more_specific_(setup.spec.params.flag("more_specific")),
        routes_(setup.spec.params.number("routes")),
        rov_(setup.spec.params.number("rov")),
        routes_seed_(setup.seeds.child("routes").seed()),
        rov_seed_(setup.seeds.child("rov").seed()),
        bridge_(setup.network.size(), false),
        table_(setup.recorder.table(side_schema())) {
    if (consensus_ == nullptr)
      bft_ = attacks::bft_partition_results(setup.consensus, scope_.controlled, "partition");
    // Detection: the withdrawal comes `detection` after the start (or a draw with that mean from the
    // attack's own stream), unless `end` comes first; either way the heal is the same.
    const ParamValues& params = setup.spec.params;
    double detection_s = params.number("detection");
    if (std::isfinite(detection_s) && params.choice("detection_law") == "exponential") {
      Rng rng = setup.seeds.child("detection").rng();
      detection_s = boost::random::exponential_distribution<double>(1.0 / detection_s)(rng);
    }
    if (scope_.start_s + detection_s < scope_.end_s) {
      heal_s_ = scope_.start_s + detection_s;
      detection_s_ = detection_s;
    }
    if (const auto it = setup.selections.find("bridges"); it != setup.selections.end()) {
      connect_bridges(it->second, params.number("bridge_latency"));
    }
  }

  MessageFilter* filter() override { return this; }

  FilterVerdict on_send(Message& msg, double /*now_s*/) override {
    FilterVerdict v;
    v.drop =
        active_ && scope_.controlled[msg.from] != scope_.controlled[msg.to] && captured(msg.from, msg.to);
    dropped_ += v.drop ? 1 : 0;
    return v;
  }

  void on_start(Runtime& runtime) override {
    if (bft_) bft_->set_window(scope_.start_s, heal_s_);
    runtime.call_at(scope_.start_s, [this] { activate(); });
    runtime.call_at(heal_s_, [this, &runtime] { heal(runtime); });
  }

  void finish(Summary& summary) override {
    if (bft_) {
      finish_bft(summary);
      return;
    }
    const BlockTree& tree = consensus_->tree();
    const BlockId main = consensus_->metrics().main_head();
    const std::vector<bool> on_main = tree.chain_flags(main);
    std::uint32_t blocks[2] = {0, 0}, orphaned[2] = {0, 0}, depth[2] = {0, 0};
    for (BlockId b = 1; b < tree.size(); ++b) {
      const Block& block = tree.get(b);
      if (block.time_s < scope_.start_s || block.time_s >= heal_s_) continue;
      const int side = scope_.controlled[block.producer] ? 0 : 1;
      ++blocks[side];
      if (on_main[b]) continue;
      ++orphaned[side];
      BlockId fork = b;  // its branch's fork point: the first ancestor on the main chain
      while (!on_main[fork]) fork = tree.get(fork).parent;
      depth[side] = std::max(depth[side], block.height - tree.get(fork).height);
    }
    double power[2] = {0, 0};
    std::uint32_t nodes[2] = {0, 0};
    for (NodeId i = 0; i < scope_.controlled.size(); ++i) {
      const int side = scope_.controlled[i] ? 0 : 1;
      ++nodes[side];
      power[side] += consensus_->power_share(i);
    }
    for (int side = 0; side < 2; ++side) {
      Recorder::append(table_, SideRow{scope_.index, static_cast<std::uint8_t>(side), nodes[side],
                                       power[side], blocks[side], orphaned[side], depth[side]});
    }
    const auto key = [this](const char* name) { return scope_.label + "_" + name; };
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
    summary.set(key("captured_share"),
                cut_ > 0 ? static_cast<double>(captured_) / static_cast<double>(cut_) : std::nan(""), "",
                "share of the connections across the cut at the start whose traffic the hijack captured "
                "(NaN: none crossed it or the attack had not started)");
    summary.mark_proportions({key("captured_share")});
    summary.set(key("cut_connections"), static_cast<std::int64_t>(cut_), "connections",
                "connections across the cut when the hijack started (relay-network links included)");
    summary.set(
        key("detected_s"), healed_ ? detection_s_ : std::nan(""), "s",
        "from the start until the hijack was detected and withdrawn (NaN: not detected before the end)");
    summary.set(key("bridge_nodes"), static_cast<std::int64_t>(bridges_), "nodes",
                "nodes on the private relay network the hijack does not capture");
    summary.set(key("bridge_links"), static_cast<std::int64_t>(bridge_links_), "connections",
                "connections the relay network added between bridge nodes not already peers");
    // The closed form holds for a complete cut: every connection across it captured, no relay network.
    const bool complete = healed_ && cut_ > 0 && captured_ == cut_ && bridges_ == 0;
    const double window_blocks = (heal_s_ - scope_.start_s) / consensus_->config().block_interval_s;
    summary.set_number(
        key("theory_orphaned"),
        complete ? expected_min_poisson(power[0] * window_blocks, power[1] * window_blocks) : std::nan(""),
        "blocks",
        "E[min(N_A, N_B)], N_A ~ Poisson(p_A T / tau), N_B ~ Poisson(p_B T / tau): the lighter "
        "side's blocks, all orphaned, for a cut of length T and block interval tau",
        "not a complete cut (routes, rov or bridges let traffic through), or no heal in the run");
  }

  // E[min(X, Y)] of independent Poisson counts: the sum over k >= 1 of P(X >= k) P(Y >= k).
  static double expected_min_poisson(double mean_x, double mean_y) {
    double px = std::exp(-mean_x), py = std::exp(-mean_y);  // P(X = k), P(Y = k), from k = 0
    double sx = 1.0 - px, sy = 1.0 - py;                    // P(X >= k + 1), P(Y >= k + 1)
    double sum = 0;
    const double last = std::min(mean_x, mean_y) + 20 * std::sqrt(std::max(mean_x, mean_y) + 1) + 50;
    for (int k = 1; k <= last && sx > 0 && sy > 0; ++k) {
      sum += sx * sy;
      px *= mean_x / k;
      py *= mean_y / k;
      sx -= px;
      sy -= py;
    }
    return sum;
  }

 private:
  // Whether the hijack captures the route of the connection a-b (across the cut). A bridge pair's
  // traffic takes the relay network; otherwise the route is won unless an equally-specific
  // announcement loses it to a shorter path, and a route through validating networks is never won.
  bool captured(NodeId a, NodeId b) const {
    if (bridge_[a] && bridge_[b]) return false;
    if (!more_specific_ && routes_ < 1 && pair_uniform(routes_seed_, a, b) >= routes_) return false;
    return !(rov_ > 0 && pair_uniform(rov_seed_, a, b) < rov_);
  }

  void activate() {
    active_ = true;
    for (NodeId a = 0; a < scope_.controlled.size(); ++a) {
      if (!scope_.controlled[a]) continue;
      for (const PeerLink& p : scope_.network.topology().peers(a)) {
        if (scope_.controlled[p.peer]) continue;
        ++cut_;
        captured_ += captured(a, p.peer) ? 1 : 0;
      }
    }
  }

  // The relay network: a full mesh among the bridge nodes, added to the peer graph before the run
  // (FIBRE and a pool's backbone exist before any hijack). A pair already connected keeps its link.
  void connect_bridges(const std::vector<NodeId>& nodes, double latency_s) {
    if (nodes.size() > kMaxBridges) {
      throw Error(fmt::format("attack '{}': bridges selects {} nodes; a full mesh is limited to {}",
                              scope_.label, nodes.size(), kMaxBridges));
    }
    Topology& topo = scope_.network.topology();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      bridge_[nodes[i]] = true;
      for (std::size_t j = i + 1; j < nodes.size(); ++j) {
        if (topo.link(nodes[i], nodes[j]) != nullptr) continue;
        topo.connect(nodes[i], nodes[j], latency_s);
        ++bridge_links_;
      }
    }
    bridges_ = nodes.size();
  }

  void heal(Runtime& runtime) {
    active_ = false;
    healed_ = true;
    if (!resync_) return;
    // Each cut connection once, from its side-A end, in node and peer order (reproducible).
    for (NodeId a = 0; a < scope_.controlled.size(); ++a) {
      if (!scope_.controlled[a]) continue;
      for (const PeerLink& p : scope_.network.topology().peers(a)) {
        if (!scope_.controlled[p.peer]) runtime.reconnected(a, p.peer);
      }
    }
  }

  double reconverge_s(const BlockTree& tree, BlockId main) const {
    if (!healed_) return std::nan("");  // the run ended before the heal
    // The winning chain's last block produced before the heal.
    BlockId w = main;
    while (w != 0 && tree.get(w).time_s >= heal_s_) w = tree.get(w).parent;
    if (w == 0 || tree.get(w).time_s < scope_.start_s) return 0.0;  // nothing mined during the partition
    const double all_s = consensus_->metrics().held_by_all_s(w);
    return std::isnan(all_s) ? all_s : std::max(0.0, all_s - heal_s_);
  }

  // BFT consensus (decisions are final: what the cut costs is liveness, bft_partition.hpp).
  void finish_bft(Summary& summary) {
    for (int side = 0; side < 2; ++side) {
      const double share =
          static_cast<double>(bft_->replicas(side)) / static_cast<double>(scope_.controlled.size());
      Recorder::append(table_, SideRow{scope_.index, static_cast<std::uint8_t>(side), bft_->replicas(side),
                                       share, bft_->committed(side), 0, 0});
    }
    summary.set(scope_.label + "_dropped", static_cast<std::int64_t>(dropped_), "messages",
                "messages lost across the cut");
    bft_->finish(summary, scope_.label, healed_);
  }

  longest_chain::LongestChainConsensus* consensus_;  // null for a BFT protocol
  std::unique_ptr<attacks::BftPartitionResults> bft_;
  attacks::AttackScope scope_;  // side A: the nodes it controls
  double heal_s_;               // the withdrawal: end, or the detection if it comes first
  double detection_s_ = std::numeric_limits<double>::quiet_NaN();  // NaN: not detected before end
  bool resync_;
  bool more_specific_;
  double routes_;
  double rov_;
  std::uint64_t routes_seed_;
  std::uint64_t rov_seed_;
  std::vector<bool> bridge_;
  TableWriter* table_;
  bool active_ = false;
  bool healed_ = false;
  std::uint64_t dropped_ = 0;
  std::uint64_t cut_ = 0;       // connections across the cut at the start
  std::uint64_t captured_ = 0;  // of those, captured
  std::size_t bridges_ = 0;
  std::size_t bridge_links_ = 0;
};

}  // namespace

void register_partition(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "partition";
  info.summary =
      "the network drops every message between the attack's nodes and the others from start to end (a "
      "BGP hijack cut), then heals; partial hijacks, route-origin validation, detection and relay "
      "networks as options";
  info.params = {
      param::boolean("resync", true,
                     "at the heal, both ends of each cut connection announce their head (Bitcoin "
                     "Core on a new connection); false: the sides hear of each other with the next "
                     "block"),
      param::boolean("more_specific", true,
                     "the hijacker announces a more-specific prefix, which wins every route (longest "
                     "prefix match); false: an equally-specific one, which wins a share `routes`"),
      param::only_when(param::probability("routes", 1,
                                          "share of the cut connections whose route an equally-specific "
                                          "announcement wins (the hijacker's path is shorter), drawn per "
                                          "node pair"),
                       "more_specific", {"false"}),
      param::probability("rov", 0,
                         "share of the cut connections whose path crosses networks doing route-origin "
                         "validation (RPKI ROV): they reject the hijack, so those are never captured; "
                         "drawn per node pair"),
      param::duration_or_never("detection", "never", greater_than(0),
                               "time from the start until the hijack is detected and withdrawn (heal as at "
                               "end, whichever comes first)"),
      param::choice("detection_law", "fixed", {"fixed", "exponential"},
                    "fixed: detection exactly; exponential: drawn with mean detection"),
      param::selection("bridges",
                       "nodes on a private relay network (FIBRE, a pool's backbone) that the hijack "
                       "does not capture: connected in a full mesh, their traffic is never dropped"),
      param::duration("bridge_latency", "10 ms", greater_than(0),
                      "one-way latency of a relay-network connection (no effect without bridges)")};
  info.check = [](const ParamValues& p) -> std::string {
    if (p.choice("detection_law") == "exponential" && !std::isfinite(p.number("detection")))
      return "detection_law: exponential draws the detection time with mean detection: give detection";
    return "";
  };
  info.check_network = [](const ParamValues& p, const NetworkSpec& net) -> std::string {
    if (p.text("bridges") == "none" || !net.peers.enabled) return "";
    return "bridges adds relay connections to a static peer graph: the address manager (network.peers) "
           "would not know them";
  };
  info.tables = {"partition_sides"};
  info.families = {longest_chain::kFamily, bft::kFamily};
  info.make = [](const AttackSetup& setup) { return std::make_unique<PartitionAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
