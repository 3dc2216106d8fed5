#include "sim/node/churn.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>

namespace dltsim {

namespace {

// One churning node: its own random stream, so the other nodes' times do not depend on it.
struct ChurningNode {
  NodeId node;
  Rng rng;
};

void schedule_next(Runtime& runtime, const ChurnSpec& churn, std::shared_ptr<ChurningNode> n, bool online) {
  const double mean_s = online ? churn.session_s : churn.downtime_s;
  const double wait_s = boost::random::exponential_distribution<double>(1.0 / mean_s)(n->rng);
  runtime.call_at(runtime.now_s() + wait_s, [&runtime, churn, n, online] {
    if (!runtime.producing()) return;  // the run is draining: leave the node as it is
    runtime.set_online(n->node, !online);
    schedule_next(runtime, churn, n, !online);
  });
}

}  // namespace

std::vector<NodeId> schedule_churn(Runtime& runtime, const ChurnSpec& churn, const SeedTree& seeds) {
  const std::uint32_t n = runtime.network().size();
  const auto count = static_cast<std::uint32_t>(std::lround(churn.fraction * n));
  // A partial Fisher-Yates shuffle with Boost's distribution picks `count` nodes.
  Rng pick_rng = seeds.child("nodes").rng();
  std::vector<NodeId> ids(n);
  for (NodeId i = 0; i < n; ++i) ids[i] = i;
  for (std::uint32_t i = 0; i < count; ++i) {
    boost::random::uniform_int_distribution<std::uint32_t> pick(i, n - 1);
    std::swap(ids[i], ids[pick(pick_rng)]);
  }
  ids.resize(count);
  std::sort(ids.begin(), ids.end());
  for (const NodeId id : ids) {
    schedule_next(runtime, churn, std::make_shared<ChurningNode>(ChurningNode{id, seeds.child(id).rng()}),
                  true);
  }
  return ids;
}

}  // namespace dltsim
