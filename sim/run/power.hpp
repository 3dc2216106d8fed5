#pragma once
// Consensus power (hashrate for proof of work, stake for proof of stake) per node, from the
// scenario's power section, normalised to shares that sum to 1.

#include <string>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/net/network.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

/// Shares of consensus power for n nodes (sum 1), for every distribution but pools.
std::vector<double> power_shares(const PowerSpec& spec, std::uint32_t n, Rng& rng);

/// Pools (after place_pools): each gateway (NodeInfo::pool) gets its pool's share split over the
/// pool's gateways; with others: equal the other nodes share the rest equally (sum 1).
std::vector<double> pool_power_shares(const PowerSpec& spec, const Network& network);

/// Mining pools: chooses each pool's gateways at random (among the nodes of the largest pool_ases
/// ASes when given), marks them (NodeInfo::pool) and opens gateway_peers extra connections from each
/// to random nodes below their inbound cap. Throws Error when too few nodes qualify.
void place_pools(const PowerSpec& spec, Network& network, Rng& rng);

/// Nodes that together take a fixed share of the power (an attack's pool).
struct PowerGroup {
  std::string owner;          ///< who asks (attack name), for messages
  std::vector<NodeId> nodes;  ///< its nodes (split the share equally)
  double share;               ///< total share
};

/// Gives every group its share; the nodes in no group keep their proportions of the rest. Throws
/// Error if a group is empty, groups overlap, the shares reach 1, or no other node is left.
void assign_group_power(std::vector<double>& power, const std::vector<PowerGroup>& groups);

}  // namespace dltsim
