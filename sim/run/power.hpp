#pragma once
// Consensus power (hashrate for proof of work, stake for proof of stake) per node, from the
// scenario's power section, normalised to shares that sum to 1.

#include <vector>

#include "sim/core/rng.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

/// Shares of consensus power for n nodes (sum 1).
std::vector<double> power_shares(const PowerSpec& spec, std::uint32_t n, Rng& rng);

}  // namespace dltsim
