#pragma once
// What an attack on the network keeps from its setup (eclipse, Sybil, partition): the network, its
// summary label and table index, its time window, and which nodes it controls, by id and as a
// membership test.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/adversary/attack.hpp"

namespace dltsim::attacks {

/// The setup's common part, copied once.
struct AttackScope {
  /// Copies what the setup gives.
  explicit AttackScope(const AttackSetup& setup);
  /// Nodes it does not control, in id order.
  std::vector<NodeId> others() const;
  /// True inside [start_s, end_s).
  bool active_at(double now_s) const { return now_s >= start_s && now_s < end_s; }

  Network& network;              ///< the network
  std::string label;             ///< prefix of its summary values
  std::uint16_t index;           ///< its position in the scenario (table column `attack`)
  double start_s;                ///< start of its window
  double end_s;                  ///< end of its window (infinity: the run's end)
  std::vector<NodeId> nodes;     ///< nodes it controls, sorted
  std::vector<bool> controlled;  ///< by node id: true for its nodes
};

}  // namespace dltsim::attacks
