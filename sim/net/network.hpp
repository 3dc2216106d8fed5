#pragma once
// The ledger network a scenario describes: nodes placed in regions with access bandwidth, and the
// peer graph with per-connection latencies. Independent of SimGrid (see platform.hpp for that side).

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/core/rng.hpp"
#include "sim/net/topology.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

/// Placement and access bandwidth of one node.
struct NodeInfo {
  std::uint16_t region = 0;   ///< index into the scenario's regions
  std::uint32_t as_rank = 0;  ///< its AS, by rank of size (1: the largest); 0 without Internet placement
  std::uint32_t prefix = 0;   ///< its address prefix (global id from 1, in AS rank order); 0 without
  std::uint16_t pool = 0;     ///< the mining pool it is a gateway of (1: the first listed); 0 for none
  double download_bps = 0;    ///< access download rate
  double upload_bps = 0;      ///< access upload rate
};

/// Nodes, regions and peer graph of a run.
class Network {
 public:
  /// Places nodes (exact region shares, shuffled) and builds the peer graph from the scenario.
  Network(const NetworkSpec& spec, const SeedTree& seeds);
  /// The scenario's network section.
  const NetworkSpec& spec() const { return spec_; }
  /// Number of nodes.
  std::uint32_t size() const { return static_cast<std::uint32_t>(nodes_.size()); }
  /// One node.
  const NodeInfo& node(NodeId id) const { return nodes_[id]; }
  /// Marks a node as a gateway of mining pool `pool` (consensus.power distribution pools).
  void set_pool(NodeId id, std::uint16_t pool) { nodes_[id].pool = pool; }
  /// The peer graph.
  Topology& topology() { return topology_; }
  /// The peer graph.
  const Topology& topology() const { return topology_; }
  /// One-way latency from a to b: the connection's own latency if they are peers, else the region mean.
  double latency_s(NodeId a, NodeId b) const;
  /// Mean one-way latency between two regions.
  double region_latency_s(std::uint16_t from, std::uint16_t to) const { return spec_.latency_s[from][to]; }
  /// A lower bound of every latency a message can see, now or after connections change: the
  /// smallest connection latency so far and the smallest a new connection can draw.
  double min_latency_s() const { return std::min(min_draw_latency_s_, topology_.min_latency_s()); }
  /// Draws the latency of a new connection between a and b according to the latency model.
  double draw_latency_s(NodeId a, NodeId b, Rng& rng) const;

 private:
  bool pareto_latency(double mean_s) const;
  double min_draw_s(double mean_s) const;

  NetworkSpec spec_;
  std::vector<NodeInfo> nodes_;
  Topology topology_;
  double min_draw_latency_s_;  // smallest value draw_latency_s can return (also <= every region mean)
};

/// Splits n nodes over groups in proportion to shares (largest remainder), then shuffles them: the
/// group of each node.
std::vector<std::uint32_t> assign_shares(std::uint32_t n, const std::vector<double>& shares, Rng& rng);

/// Splits n nodes over regions in proportion to shares (largest remainder), then shuffles them.
std::vector<std::uint16_t> assign_regions(std::uint32_t n, const std::vector<RegionSpec>& regions, Rng& rng);

/// Places each node in an AS and a prefix (NodeInfo::as_rank, prefix) as `internet` describes.
void place_in_internet(std::vector<NodeInfo>& nodes, const InternetSpec& internet, Rng& rng);

}  // namespace dltsim
