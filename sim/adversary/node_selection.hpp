#pragma once
// Resolves an attack's declarative node selection (count, fraction, power share, region, ids) into
// node ids, deterministically from the attack's random stream.

#include <vector>

#include "sim/core/rng.hpp"
#include "sim/net/network.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

/// The nodes a selection names, in increasing id order. Random selections (count, fraction,
/// power share) skip the nodes flagged in `taken` (held by another attack).
std::vector<NodeId> select_nodes(const NodeSelection& selection, const Network& network,
                                 const std::vector<double>& power_shares, const std::vector<bool>& taken,
                                 Rng& rng);

}  // namespace dltsim
