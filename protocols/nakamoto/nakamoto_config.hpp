#pragma once
// Parameters of Nakamoto proof of work: its block interval and the chain rules only it offers (GHOST,
// uncles, Ethereum's relay), on top of the longest-chain family's relay parameters.

#include <vector>

#include "protocols/longest_chain/chain_config.hpp"

namespace dltsim::nakamoto {

/// Parameter declarations of Nakamoto proof of work.
std::vector<ParamSpec> param_specs();
/// Typed parameters of Nakamoto proof of work from resolved values.
longest_chain::Config read_config(const ParamValues& values);

}  // namespace dltsim::nakamoto
