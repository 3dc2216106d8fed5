#pragma once
// When a node of a longest-chain protocol gets to produce a block, and on which block: proof of
// work's Poisson race (proof_of_work.hpp) or a slot leader lottery (protocols/praos). One object per
// run, shared by the nodes; the relay, the fork choice and the attacks stay the same for all of them.

#include <cstdint>

#include "sim/chain/block_tree.hpp"
#include "sim/core/rng.hpp"

namespace dltsim::longest_chain {

/// How and when blocks are produced.
class BlockProduction {
 public:
  virtual ~BlockProduction() = default;
  /// Time from now_s to the next chance of a node holding power_share (> 0) to produce, drawn from
  /// its own stream.
  virtual double next_wait_s(Rng& rng, double power_share, double now_s) const = 0;
  /// A node's chance came (it will produce unless it cannot): for per-slot statistics.
  virtual void on_chance(NodeId /*node*/, double /*now_s*/) {}
  /// Production stopped at now_s (the scenario's stop condition).
  virtual void on_stopped(double /*now_s*/) {}
  /// The block a producer at now_s builds on, given the tip of the chain it follows (a slot's block
  /// must come after its parent's slot).
  virtual BlockId parent_for(const BlockTree& /*tree*/, BlockId tip, double /*now_s*/) const { return tip; }
  /// Blocks per second that nodes holding `share` of the power produce together, counting one per
  /// chance they share (a pool's chain growth).
  virtual double production_rate_per_s(double share) const = 0;
  /// The share of the blocks that nodes holding `share` of the power produce, as the closed forms of
  /// attacks take it (proof of work: the share itself).
  virtual double block_share(double share) const { return share; }
  /// Growth of a chain that many nodes holding `share` extend, each seeing the others' blocks exactly
  /// delay_s after they are made (blocks per second).
  virtual double chain_growth_per_s(double share, double delay_s) const = 0;
};

}  // namespace dltsim::longest_chain
