#pragma once
// Who proposes and who attests in each slot. Validators belong to nodes (consensus.power split into
// whole validators); each epoch a seeded permutation of all validators (the stand-in for RANDAO and
// the swap-or-not shuffle) deals them into the epoch's slots in equal committees, and each slot's
// proposer is a uniformly drawn validator (every validator has the same 32 ETH effective balance).
// A committee is kept as (node, validators) pairs: a node's validators in one slot vote alike.

#include <cstdint>
#include <map>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/core/rng.hpp"

namespace dltsim::gasper {

/// A node's share of one slot's committee.
struct Member {
  NodeId node;          ///< the node holding them
  std::uint32_t count;  ///< its validators in the committee
};

/// Per-slot duties.
class Committees {
 public:
  /// Validators per node; seeds: the run's stream for the shuffles and proposers.
  Committees(std::vector<std::uint32_t> validators_per_node, std::uint32_t slots_per_epoch, SeedTree seeds);
  /// The committee of `slot` (its node shares, by node id).
  const std::vector<Member>& committee(std::uint64_t slot);
  /// Validators of `node` in the committee of `slot` (0 if none).
  std::uint32_t count_of(NodeId node, std::uint64_t slot);
  /// The node proposing in `slot`.
  NodeId proposer(std::uint64_t slot);
  /// Validators held by a node.
  std::uint32_t validators_of(NodeId node) const { return per_node_[node]; }
  /// All validators.
  std::uint64_t total() const { return owner_.size(); }

 private:
  struct Epoch {
    std::vector<std::vector<Member>> committees;
    std::vector<NodeId> proposers;
  };
  const Epoch& epoch(std::uint64_t e);
  std::vector<std::uint32_t> per_node_;
  std::vector<NodeId> owner_;  // validator index -> node
  std::uint32_t slots_per_epoch_;
  SeedTree seeds_;
  std::map<std::uint64_t, Epoch> epochs_;  // the few epochs in use
};

/// Splits `validators` over nodes in proportion to `shares` (largest remainders, ties to the lower id).
std::vector<std::uint32_t> split_validators(const std::vector<double>& shares, std::uint64_t validators);

}  // namespace dltsim::gasper
