#include "sim/net/network.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <string>

#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>

namespace dltsim {

std::vector<std::uint32_t> assign_shares(std::uint32_t n, const std::vector<double>& shares, Rng& rng) {
  const double total = std::accumulate(shares.begin(), shares.end(), 0.0);
  std::vector<std::uint32_t> counts(shares.size());
  std::vector<std::pair<double, std::size_t>> remainders;
  std::uint32_t assigned = 0;
  for (std::size_t r = 0; r < shares.size(); ++r) {
    const double exact = n * shares[r] / total;
    counts[r] = static_cast<std::uint32_t>(std::floor(exact));
    assigned += counts[r];
    remainders.emplace_back(exact - counts[r], r);
  }
  // Largest remainders first; ties by group order, so the result does not depend on sort stability.
  std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  for (std::size_t i = 0; assigned < n; ++i, ++assigned) ++counts[remainders[i % remainders.size()].second];

  std::vector<std::uint32_t> out;
  out.reserve(n);
  for (std::size_t r = 0; r < shares.size(); ++r)
    out.insert(out.end(), counts[r], static_cast<std::uint32_t>(r));
  // Fisher-Yates with Boost's distribution (std::shuffle's output is implementation-defined).
  for (std::uint32_t i = n; i > 1; --i) {
    boost::random::uniform_int_distribution<std::uint32_t> pick(0, i - 1);
    std::swap(out[i - 1], out[pick(rng)]);
  }
  return out;
}

std::vector<std::uint16_t> assign_regions(std::uint32_t n, const std::vector<RegionSpec>& regions, Rng& rng) {
  std::vector<double> shares;
  for (const RegionSpec& r : regions) shares.push_back(r.share);
  const auto groups = assign_shares(n, shares, rng);
  return std::vector<std::uint16_t>(groups.begin(), groups.end());
}

void place_in_internet(std::vector<NodeInfo>& nodes, const InternetSpec& internet, Rng& rng) {
  if (internet.ases == 0) return;
  std::vector<double> shares(internet.ases);
  for (std::uint32_t k = 0; k < internet.ases; ++k) shares[k] = std::pow(k + 1.0, -internet.as_exponent);
  const auto n = static_cast<std::uint32_t>(nodes.size());
  const auto as_of = assign_shares(n, shares, rng);
  std::vector<std::uint32_t> as_nodes(internet.ases, 0);
  for (const std::uint32_t k : as_of) ++as_nodes[k];
  // Prefixes: AS k announces ceil(n_k / (prefix_share n)) of them, numbered in AS rank order, and its
  // nodes fill them in turn (node id order; ids are already in random order with respect to ASes).
  const double per_prefix = std::max(1.0, internet.prefix_share * n);
  std::vector<std::uint32_t> first_prefix(internet.ases), prefixes(internet.ases), next(internet.ases, 0);
  std::uint32_t id = 1;
  for (std::uint32_t k = 0; k < internet.ases; ++k) {
    prefixes[k] = std::max(1u, static_cast<std::uint32_t>(std::ceil(as_nodes[k] / per_prefix)));
    first_prefix[k] = id;
    id += prefixes[k];
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t k = as_of[i];
    nodes[i].as_rank = k + 1;
    nodes[i].prefix = first_prefix[k] + next[k]++ % prefixes[k];
  }
}

Network::Network(const NetworkSpec& spec, const SeedTree& seeds)
    : spec_(spec), topology_(0), min_draw_latency_s_(std::numeric_limits<double>::infinity()) {
  for (const auto& row : spec.latency_s) {
    for (const double mean_s : row) min_draw_latency_s_ = std::min(min_draw_latency_s_, min_draw_s(mean_s));
  }
  Rng placement = seeds.child("placement").rng();
  const auto regions = assign_regions(spec.nodes, spec.regions, placement);
  nodes_.resize(spec.nodes);
  for (NodeId i = 0; i < spec.nodes; ++i) {
    const RegionSpec& r = spec.regions[regions[i]];
    nodes_[i].region = regions[i];
    nodes_[i].download_bps = r.download_bps;
    nodes_[i].upload_bps = r.upload_bps;
  }
  // Its own stream: a placement added to a network leaves the regions and the peer graph as they were.
  Rng internet = seeds.child("internet").rng();
  place_in_internet(nodes_, spec.internet, internet);
  Rng wiring = seeds.child("topology").rng();
  const LatencyDraw draw = [this](NodeId a, NodeId b, Rng& rng) { return draw_latency_s(a, b, rng); };
  const TopologySpec& t = spec.topology;
  using Builder = std::function<Topology(const NetworkSpec&, const LatencyDraw&, Rng&)>;
  static const std::map<std::string, Builder> builders{
      {"random",
       [](const NetworkSpec& n, const LatencyDraw& d, Rng& r) {
         return build_random_topology(n.nodes, n.topology.outbound_degree_cdf, n.topology.max_inbound, d, r);
       }},
      {"complete", [](const NetworkSpec& n, const LatencyDraw& d,
                      Rng& r) { return build_complete_topology(n.nodes, d, r); }},
      {"tree", [](const NetworkSpec& n, const LatencyDraw& d, Rng& r) {
         return build_tree_topology(n.nodes,
                                    static_cast<std::uint32_t>(n.topology.outbound_degree_cdf.size()), d, r);
       }}};
  topology_ = builders.at(t.model)(spec, draw, wiring);
}

bool Network::pareto_latency(double mean_s) const {
  // SimBlock's law: Pareto with scale (mean - 5 ms) and shape 0.2 x mean (ms), whose mean is the table
  // value. At 5 ms or less the shape is at most 1 (infinite mean): use the table value.
  return spec_.latency_model == LatencyModel::pareto && mean_s * 1e3 > 5.0;
}

double Network::min_draw_s(double mean_s) const {
  // A Pareto draw is scale / u^(1/shape) with u in (0, 1]: at least the scale, computed as the draw does.
  return pareto_latency(mean_s) ? (mean_s * 1e3 - 5.0) * 1e-3 : mean_s;
}

double Network::draw_latency_s(NodeId a, NodeId b, Rng& rng) const {
  const double mean_s = region_latency_s(nodes_[a].region, nodes_[b].region);
  if (!pareto_latency(mean_s)) return mean_s;
  const double mean_ms = mean_s * 1e3;
  const double scale_ms = mean_ms - 5.0;
  const double shape = 0.2 * mean_ms;
  const double u = 1.0 - boost::random::uniform_01<double>()(rng);  // (0, 1]
  return scale_ms / std::pow(u, 1.0 / shape) * 1e-3;
}

double Network::latency_s(NodeId a, NodeId b) const {
  if (const PeerLink* l = topology_.link(a, b)) return l->latency_s;
  return region_latency_s(nodes_[a].region, nodes_[b].region);
}

}  // namespace dltsim
