#include "sim/adversary/node_selection.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/random/uniform_int_distribution.hpp>

namespace dltsim {

static std::vector<NodeId> shuffled_ids(std::uint32_t n, Rng& rng) {
  std::vector<NodeId> ids(n);
  std::iota(ids.begin(), ids.end(), 0);
  for (std::uint32_t i = n; i > 1; --i) {
    boost::random::uniform_int_distribution<std::uint32_t> pick(0, i - 1);
    std::swap(ids[i - 1], ids[pick(rng)]);
  }
  return ids;
}

std::vector<NodeId> select_nodes(const NodeSelection& s, const Network& network,
                                 const std::vector<double>& power_shares, Rng& rng) {
  const std::uint32_t n = network.size();
  std::vector<NodeId> out;
  switch (s.by) {
    case SelectBy::count:
    case SelectBy::fraction: {
      const auto k = s.by == SelectBy::count
                         ? static_cast<std::uint32_t>(s.amount)
                         : std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(s.amount * n)));
      const auto ids = shuffled_ids(n, rng);
      out.assign(ids.begin(), ids.begin() + std::min(k, n));
      break;
    }
    case SelectBy::power_share: {
      double sum = 0;
      for (NodeId id : shuffled_ids(n, rng)) {
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
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace dltsim
