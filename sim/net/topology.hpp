#pragma once
// The peer graph: who talks to whom, with a fixed latency per connection. Mutable at run time so
// attacks can rewire it (eclipse, Sybil).

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/core/rng.hpp"

namespace dltsim {

/// One end of a connection as seen from a node.
struct PeerLink {
  NodeId peer;       ///< the other node
  double latency_s;  ///< one-way latency of this connection
};

/// Undirected peer graph with per-connection latency; remembers who opened each connection.
class Topology {
 public:
  /// n isolated nodes.
  explicit Topology(std::uint32_t n);
  /// Number of nodes.
  std::uint32_t size() const { return static_cast<std::uint32_t>(peers_.size()); }
  /// Connections of a node, in increasing peer id.
  const std::vector<PeerLink>& peers(NodeId node) const { return peers_[node]; }
  /// The connection from a to b, or nullptr.
  const PeerLink* link(NodeId a, NodeId b) const;
  /// Opens a connection from `from` (outbound) to `to` (inbound); no-op if it exists.
  void connect(NodeId from, NodeId to, double latency_s);
  /// Closes the connection between a and b if it exists.
  void disconnect(NodeId a, NodeId b);
  /// The peers a node opened connections to, in the order it opened them.
  const std::vector<NodeId>& opened(NodeId node) const { return opened_[node]; }
  /// Connections the node opened.
  std::uint32_t outbound(NodeId node) const { return outbound_[node]; }
  /// Connections others opened to the node.
  std::uint32_t inbound(NodeId node) const { return inbound_[node]; }
  /// True if every node can reach every other.
  bool is_connected() const;
  /// Smallest latency of any connection opened so far (infinity before the first).
  double min_latency_s() const { return min_latency_s_; }

 private:
  std::vector<std::vector<PeerLink>> peers_;
  std::vector<std::vector<NodeId>> opened_;  // outbound targets, to keep counts right on disconnect
  std::vector<std::uint32_t> outbound_;
  std::vector<std::uint32_t> inbound_;
  double min_latency_s_;
};

/// Latency of a new connection between two nodes.
using LatencyDraw = std::function<double(NodeId, NodeId, Rng&)>;

/// Random graph: node i opens k_i outbound connections (k_i drawn from the cdf over 1..len) to
/// uniformly chosen nodes that still accept inbound connections. Redraws a disconnected graph a few
/// times, then throws an Error explaining why it cannot connect the nodes.
Topology build_random_topology(std::uint32_t n, const std::vector<double>& outbound_cdf,
                               std::uint32_t max_inbound, const LatencyDraw& latency, Rng& rng);

/// Every pair of nodes connected (BFT committees).
Topology build_complete_topology(std::uint32_t n, const LatencyDraw& latency, Rng& rng);

/// A d-regular tree cut at n nodes, in breadth-first order: node 0 is the root with d children, every
/// other node has a parent and up to d - 1 children (each parent opens the connections to its
/// children). The graph of the closed forms for source estimation (docs/privacy.md).
Topology build_tree_topology(std::uint32_t n, std::uint32_t d, const LatencyDraw& latency, Rng& rng);

}  // namespace dltsim
