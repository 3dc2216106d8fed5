#include "sim/net/topology.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "sim/core/error.hpp"

namespace dltsim {

Topology::Topology(std::uint32_t n)
    : peers_(n),
      opened_(n),
      outbound_(n, 0),
      inbound_(n, 0),
      min_latency_s_(std::numeric_limits<double>::infinity()) {}

namespace {
// Peer lists are kept sorted by peer id: link() is a binary search (complete graphs have n peers).
std::vector<PeerLink>::const_iterator find_peer(const std::vector<PeerLink>& v, NodeId peer) {
  return std::lower_bound(v.begin(), v.end(), peer, [](const PeerLink& l, NodeId p) { return l.peer < p; });
}
void insert_peer(std::vector<PeerLink>& v, PeerLink link) {
  v.insert(find_peer(v, link.peer), link);
}
}  // namespace

const PeerLink* Topology::link(NodeId a, NodeId b) const {
  const auto& v = peers_[a];
  // A complete graph's sorted list holds every other node: b sits at b or b - 1, no search needed.
  if (const std::size_t guess = b < a ? b : b - std::size_t{1};
      b != a && guess < v.size() && v[guess].peer == b)
    return &v[guess];
  const auto it = find_peer(v, b);
  return it != v.end() && it->peer == b ? &*it : nullptr;
}

void Topology::connect(NodeId from, NodeId to, double latency_s) {
  if (from == to || link(from, to) != nullptr) return;
  min_latency_s_ = std::min(min_latency_s_, latency_s);
  insert_peer(peers_[from], {to, latency_s});
  insert_peer(peers_[to], {from, latency_s});
  opened_[from].push_back(to);
  ++outbound_[from];
  ++inbound_[to];
}

void Topology::disconnect(NodeId a, NodeId b) {
  auto drop = [](std::vector<PeerLink>& v, NodeId x) {
    const auto it = find_peer(v, x);
    if (it == v.end() || it->peer != x) return false;
    v.erase(it);
    return true;
  };
  if (!drop(peers_[a], b)) return;
  drop(peers_[b], a);
  auto& oa = opened_[a];
  if (const auto it = std::find(oa.begin(), oa.end(), b); it != oa.end()) {
    oa.erase(it);
    --outbound_[a];
    --inbound_[b];
    return;
  }
  auto& ob = opened_[b];
  if (const auto it = std::find(ob.begin(), ob.end(), a); it != ob.end()) {
    ob.erase(it);
    --outbound_[b];
    --inbound_[a];
  }
}

bool Topology::is_connected() const {
  const std::uint32_t n = size();
  if (n <= 1) return true;
  std::vector<bool> seen(n, false);
  std::vector<NodeId> stack{0};
  seen[0] = true;
  std::uint32_t reached = 1;
  while (!stack.empty()) {
    const NodeId v = stack.back();
    stack.pop_back();
    for (const auto& l : peers_[v]) {
      if (!seen[l.peer]) {
        seen[l.peer] = true;
        ++reached;
        stack.push_back(l.peer);
      }
    }
  }
  return reached == n;
}

namespace {

std::uint32_t draw_degree(const std::vector<double>& cdf, Rng& rng) {
  const double u = boost::random::uniform_01<double>()(rng);
  for (std::size_t k = 0; k < cdf.size(); ++k) {
    if (u < cdf[k]) return static_cast<std::uint32_t>(k + 1);
  }
  return static_cast<std::uint32_t>(cdf.size());
}

Topology try_random_topology(std::uint32_t n, const std::vector<double>& cdf, std::uint32_t max_inbound,
                             const LatencyDraw& latency, Rng& rng) {
  Topology topo(n);
  boost::random::uniform_int_distribution<std::uint32_t> pick(0, n - 1);
  const auto can_take = [&](NodeId i, NodeId j) {
    return j != i && topo.inbound(j) < max_inbound && topo.link(i, j) == nullptr;
  };
  for (NodeId i = 0; i < n; ++i) {
    const std::uint32_t want = draw_degree(cdf, rng);
    // A node linked to every other node (by their connections to it) has all the peers there are.
    const auto satisfied = [&] { return topo.outbound(i) >= want || topo.peers(i).size() >= n - 1; };
    for (std::uint32_t attempt = 0; !satisfied() && attempt < 50 * want + 100; ++attempt) {
      const NodeId j = pick(rng);
      if (can_take(i, j)) topo.connect(i, j, latency(i, j, rng));
    }
    if (satisfied()) continue;
    // Near saturation random picks keep missing the few nodes with room: scan them all, from a
    // random start, rather than give the node fewer connections than it drew.
    const NodeId start = pick(rng);
    for (std::uint32_t k = 0; k < n && !satisfied(); ++k) {
      const NodeId j = static_cast<NodeId>((start + k) % n);
      if (can_take(i, j)) topo.connect(i, j, latency(i, j, rng));
    }
    if (!satisfied()) {
      throw Error(
          fmt::format("node {} drew {} outbound connections but could open only {}: every other node "
                      "is already its peer or has its {} inbound connections (max_inbound)",
                      i, want, topo.outbound(i), max_inbound));
    }
  }
  return topo;
}

}  // namespace

Topology build_random_topology(std::uint32_t n, const std::vector<double>& outbound_cdf,
                               std::uint32_t max_inbound, const LatencyDraw& latency, Rng& rng) {
  if (n <= 1) return Topology(n);
  constexpr int kAttempts = 10;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    Topology topo = try_random_topology(n, outbound_cdf, max_inbound, latency, rng);
    if (topo.is_connected()) return topo;
  }
  throw Error(fmt::format(
      "could not build a connected peer graph of {} nodes in {} attempts (outbound degrees from the cdf, "
      "at most {} inbound): raise the outbound degree or the inbound cap",
      n, kAttempts, max_inbound));
}

Topology build_complete_topology(std::uint32_t n, const LatencyDraw& latency, Rng& rng) {
  Topology topo(n);
  for (NodeId i = 0; i < n; ++i) {
    for (NodeId j = i + 1; j < n; ++j) topo.connect(i, j, latency(i, j, rng));
  }
  return topo;
}

Topology build_tree_topology(std::uint32_t n, std::uint32_t d, const LatencyDraw& latency, Rng& rng) {
  Topology topo(n);
  // Node i >= 1 hangs under parent(i): the root's children are 1..d, then each node in turn takes d - 1.
  for (NodeId i = 1; i < n; ++i) {
    const NodeId parent = i <= d ? 0 : (i - d - 1) / (d - 1) + 1;
    topo.connect(parent, i, latency(parent, i, rng));
  }
  return topo;
}

}  // namespace dltsim
