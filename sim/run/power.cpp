#include "sim/run/power.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "sim/core/error.hpp"
#include "sim/core/sampling.hpp"

namespace dltsim {

void place_pools(const PowerSpec& spec, Network& network, Rng& rng) {
  const std::uint32_t n = network.size();
  std::vector<NodeId> candidates;
  for (NodeId i = 0; i < n; ++i) {
    if (spec.pool_ases == 0 || network.node(i).as_rank <= spec.pool_ases) candidates.push_back(i);
  }
  const std::size_t needed = spec.pools.size() * std::size_t{spec.gateways};
  if (candidates.size() < needed) {
    throw Error(fmt::format("{} pools x {} gateways need {} nodes, but the largest {} ASes hold only {}",
                            spec.pools.size(), spec.gateways, needed, spec.pool_ases, candidates.size()));
  }
  shuffle_front(candidates, needed, rng);  // the gateways, pool after pool
  for (std::size_t i = 0; i < needed; ++i)
    network.set_pool(candidates[i], static_cast<std::uint16_t>(i / spec.gateways + 1));
  // Well-connected gateways: extra connections to random nodes that still accept inbound ones.
  Topology& topo = network.topology();
  const std::uint32_t cap = network.spec().topology.max_inbound;
  boost::random::uniform_int_distribution<NodeId> any(0, n - 1);
  for (std::size_t i = 0; i < needed; ++i) {
    const NodeId g = candidates[i];
    std::uint32_t opened = 0;
    for (std::uint64_t tries = 0; opened < spec.gateway_peers && tries < 100ull * (spec.gateway_peers + 1);
         ++tries) {
      const NodeId to = any(rng);
      if (to == g || topo.link(g, to) != nullptr || topo.inbound(to) >= cap) continue;
      topo.connect(g, to, network.draw_latency_s(g, to, rng));
      ++opened;
    }
  }
}

std::vector<double> pool_power_shares(const PowerSpec& spec, const Network& network) {
  const std::uint32_t n = network.size();
  std::vector<double> power(n, 0.0);
  const double pooled = std::accumulate(spec.pools.begin(), spec.pools.end(), 0.0);
  std::uint32_t solo = 0;
  for (NodeId i = 0; i < n; ++i) solo += network.node(i).pool == 0 ? 1 : 0;
  for (NodeId i = 0; i < n; ++i) {
    const std::uint16_t pool = network.node(i).pool;
    if (pool > 0) {
      power[i] = spec.pools[pool - 1] / spec.gateways;
    } else if (spec.others_equal && solo > 0) {
      power[i] = std::max(0.0, 1.0 - pooled) / solo;
    }
  }
  const double total = std::accumulate(power.begin(), power.end(), 0.0);
  for (auto& p : power) p /= total;
  return power;
}

std::vector<double> power_shares(const PowerSpec& spec, std::uint32_t n, Rng& rng) {
  std::vector<double> power(n, 0.0);
  switch (spec.distribution) {
    case PowerDistribution::normal: {
      // SimBlock's model: each node's power is drawn from a normal law; negative draws count as zero.
      boost::random::normal_distribution<double> draw(spec.mean, spec.stddev);
      for (auto& p : power) p = std::max(0.0, draw(rng));
      break;
    }
    case PowerDistribution::shares: {
      std::copy(spec.shares.begin(), spec.shares.end(), power.begin());
      const double given = std::accumulate(spec.shares.begin(), spec.shares.end(), 0.0);
      const std::size_t others = n - spec.shares.size();
      if (spec.others_equal && others > 0) {
        std::fill(power.begin() + static_cast<std::ptrdiff_t>(spec.shares.size()), power.end(),
                  std::max(0.0, 1.0 - given) / static_cast<double>(others));
      }
      break;
    }
    case PowerDistribution::equal:
      std::fill(power.begin(), power.end(), 1.0);
      break;
    case PowerDistribution::pools:
      throw Error("pool shares depend on the gateways: use pool_power_shares");
  }
  const double total = std::accumulate(power.begin(), power.end(), 0.0);
  if (!std::isfinite(total)) {
    throw Error(
        "the nodes' power sums to more than the largest representable number; only ratios matter: "
        "scale the values down");
  }
  if (!(total > 0)) {
    throw Error(
        "every node drew zero power (a normal law with mean far below its standard "
        "deviation?): nobody could produce blocks");
  }
  for (auto& p : power) p /= total;
  return power;
}

void assign_group_power(std::vector<double>& power, const std::vector<PowerGroup>& groups) {
  if (groups.empty()) return;
  std::vector<bool> taken(power.size(), false);
  double total_share = 0;
  for (const PowerGroup& g : groups) {
    if (g.nodes.empty()) throw Error(fmt::format("attack '{}' selected no node", g.owner));
    for (NodeId n : g.nodes) {
      if (taken[n])
        throw Error(fmt::format("node {} is selected by two attacks that own hashrate ('{}' among them)", n,
                                g.owner));
      taken[n] = true;
    }
    total_share += g.share;
  }
  if (total_share >= 1) {
    throw Error(fmt::format("attacks own {:.4g} of the hashrate in total: leave some to the honest nodes",
                            total_share));
  }
  double rest = 0;
  std::size_t others = 0;
  for (std::size_t i = 0; i < power.size(); ++i) {
    if (!taken[i]) {
      rest += power[i];
      ++others;
    }
  }
  if (others == 0) throw Error("the attacks selected every node: leave some honest nodes");
  for (std::size_t i = 0; i < power.size(); ++i) {
    if (!taken[i])
      power[i] =
          rest > 0 ? power[i] * (1 - total_share) / rest : (1 - total_share) / static_cast<double>(others);
  }
  for (const PowerGroup& g : groups) {
    for (NodeId n : g.nodes) power[n] = g.share / static_cast<double>(g.nodes.size());
  }
}

}  // namespace dltsim
