#include "sim/adversary/node_selection.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/random/uniform_int_distribution.hpp>

namespace dltsim {

// The free nodes in a random order.
static std::vector<NodeId> shuffled_free_ids(const std::vector<bool>& taken, Rng& rng) {
  std::vector<NodeId> ids;
  for (NodeId i = 0; i < taken.size(); ++i) {
    if (!taken[i]) ids.push_back(i);
  }
  for (std::size_t i = ids.size(); i > 1; --i) {
    boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(ids[i - 1], ids[pick(rng)]);
  }
  return ids;
}

std::vector<NodeId> select_nodes(const NodeSelection& s, const Network& network,
                                 const std::vector<double>& power_shares, const std::vector<bool>& taken,
                                 Rng& rng) {
  const std::uint32_t n = network.size();
  std::vector<NodeId> out;
  switch (s.by) {
    case SelectBy::count:
    case SelectBy::fraction: {
      const auto k = s.by == SelectBy::count
                         ? static_cast<std::uint32_t>(s.amount)
                         : std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(s.amount * n)));
      const auto ids = shuffled_free_ids(taken, rng);
      out.assign(ids.begin(), ids.begin() + std::min<std::size_t>(k, ids.size()));
      break;
    }
    case SelectBy::power_share: {
      double sum = 0;
      for (NodeId id : shuffled_free_ids(taken, rng)) {
        if (sum >= s.amount) break;
        if (power_shares[id] <= 0) continue;
        out.push_back(id);
        sum += power_shares[id];
      }
      break;
    }
    case SelectBy::region:
      for (NodeId id = 0; id < n; ++id) {
        if (network.spec().regions[network.node(id).region].name == s.region) out.push_back(id);
      }
      break;
    case SelectBy::ids:
      out = s.ids;
      break;
    case SelectBy::ases:
      for (NodeId id = 0; id < n; ++id) {
        if (std::find(s.ases.begin(), s.ases.end(), network.node(id).as_rank) != s.ases.end())
          out.push_back(id);
      }
      break;
    case SelectBy::top_ases:
      for (NodeId id = 0; id < n; ++id) {
        if (network.node(id).as_rank <= s.amount) out.push_back(id);
      }
      break;
    case SelectBy::top_degree: {
      std::vector<NodeId> ids(n);
      std::iota(ids.begin(), ids.end(), 0);
      const auto degree = [&](NodeId id) { return network.topology().peers(id).size(); };
      const auto k = std::min<std::size_t>(static_cast<std::size_t>(s.amount), n);
      std::partial_sort(ids.begin(), ids.begin() + k, ids.end(), [&](NodeId a, NodeId b) {
        return degree(a) > degree(b) || (degree(a) == degree(b) && a < b);
      });
      out.assign(ids.begin(), ids.begin() + k);
      break;
    }
    case SelectBy::top_power: {
      std::vector<NodeId> ids(n);
      std::iota(ids.begin(), ids.end(), 0);
      const auto k = std::min<std::size_t>(static_cast<std::size_t>(s.amount), n);
      std::partial_sort(ids.begin(), ids.begin() + k, ids.end(), [&](NodeId a, NodeId b) {
        return power_shares[a] > power_shares[b] || (power_shares[a] == power_shares[b] && a < b);
      });
      out.assign(ids.begin(), ids.begin() + k);
      break;
    }
    case SelectBy::top_prefixes: {
      // The most populated prefixes, ties to the lower prefix id.
      std::vector<std::uint32_t> population;  // nodes per prefix id
      for (NodeId id = 0; id < n; ++id) {
        const std::uint32_t p = network.node(id).prefix;
        if (p >= population.size()) population.resize(p + 1, 0);
        ++population[p];
      }
      std::vector<std::uint32_t> prefixes;
      for (std::uint32_t p = 0; p < population.size(); ++p) {
        if (population[p] > 0) prefixes.push_back(p);
      }
      const auto k = std::min<std::size_t>(static_cast<std::size_t>(s.amount), prefixes.size());
      std::partial_sort(prefixes.begin(), prefixes.begin() + k, prefixes.end(),
                        [&](std::uint32_t a, std::uint32_t b) {
                          return population[a] > population[b] || (population[a] == population[b] && a < b);
                        });
      std::vector<bool> chosen(population.size(), false);
      for (std::size_t i = 0; i < k; ++i) chosen[prefixes[i]] = true;
      for (NodeId id = 0; id < n; ++id) {
        if (chosen[network.node(id).prefix]) out.push_back(id);
      }
      break;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace dltsim
