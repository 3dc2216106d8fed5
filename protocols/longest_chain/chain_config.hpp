#pragma once
// Parameters of the longest-chain family: the block relay and chain rules every member (Nakamoto
// proof of work, Praos) shares, declared once (registry, validator, describe) and read into a typed
// struct that each member completes with its own parameters.

#include <cstdint>
#include <vector>

#include "protocols/longest_chain/compact_block.hpp"
#include "sim/chain/chain_view.hpp"
#include "sim/core/params.hpp"

namespace dltsim::longest_chain {

/// Typed parameters.
struct Config {
  double block_interval_s;             ///< mean time between blocks over the whole network
  double block_size_bytes;             ///< size of a full block
  double validation_delay_s;           ///< time to validate a block before accepting and relaying it
  bool compact_blocks;                 ///< BIP 152 compact block relay on
  double compact_usage;                ///< share of nodes that support compact blocks
  double transaction_size_bytes;       ///< average transaction size (sets the compact block's short ids)
  std::uint32_t high_bandwidth_peers;  ///< BIP 152 high-bandwidth peers a node asks for (0: off)
  double compact_failure_rate;         ///< probability that reconstruction fails
  double compact_missing_fraction;     ///< fraction of the block's transactions fetched after a failure
  CompactBlock compact;                ///< BIP 152 message sizes of a block of block_size_bytes
  double download_timeout_base_s;      ///< wait for a requested block before asking another announcer
  double download_timeout_per_peer_s;  ///< added per other peer a block is being downloaded from
  TieRule tie_rule;                    ///< fork choice among equal chains
  ForkChoice fork_choice = ForkChoice::longest;  ///< longest chain or GHOST
  bool relay_all = false;                        ///< relay every valid block, not only new heads (Ethereum)
  bool push_sqrt = false;              ///< push the full block to sqrt(peers), announce to the rest (geth)
  std::uint32_t max_uncles = 0;        ///< uncles a block may reference (0: none)
  std::uint32_t uncle_depth = 0;       ///< an uncle is at most this many generations below its nephew
  double uncle_reward_divisor = 8;     ///< an uncle d generations below earns (divisor - d) / divisor
  double nephew_reward = 0;            ///< a block earns this share of the block reward per uncle
  std::uint32_t settlement_depth = 0;  ///< k: reorgs deeper than k are settlement failures (0: not recorded)
};

/// Parameter declarations of the relay and chain rules every longest-chain protocol shares.
std::vector<ParamSpec> relay_param_specs();
/// Reads the shared parameters into c (block_interval_s must be set first: timeouts scale with it).
void read_relay_config(const ParamValues& values, Config& c);

/// Size of an inv or getdata announcing one block: 24-byte header, 1-byte count, 36-byte entry.
inline constexpr std::uint32_t kInvSizeBytes = 61;

}  // namespace dltsim::longest_chain
