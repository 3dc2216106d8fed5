#pragma once
// Churn: a share of the nodes leave and rejoin the network, each alternating an online session and
// an offline time drawn from exponential laws (network.churn), starting online. It stops when the
// run stops producing blocks, so that what is in flight can drain; nodes stay as they are then.

#include "sim/core/rng.hpp"
#include "sim/node/runtime.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

/// Chooses the churning nodes (seeded) and schedules their first departure on the runtime.
/// Returns the chosen nodes, in increasing id order.
std::vector<NodeId> schedule_churn(Runtime& runtime, const ChurnSpec& churn, const SeedTree& seeds);

}  // namespace dltsim
