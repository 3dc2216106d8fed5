#include "attacks/common/attack_scope.hpp"

#include "sim/net/network.hpp"

namespace dltsim::attacks {

AttackScope::AttackScope(const AttackSetup& setup)
    : network(setup.network),
      label(setup.label),
      index(setup.index),
      start_s(setup.spec.start_s),
      end_s(setup.spec.end_s),
      nodes(setup.nodes),
      controlled(setup.network.size(), false) {
  for (const NodeId n : nodes) controlled[n] = true;
}

std::vector<NodeId> AttackScope::others() const {
  std::vector<NodeId> out;
  for (NodeId i = 0; i < controlled.size(); ++i) {
    if (!controlled[i]) out.push_back(i);
  }
  return out;
}

}  // namespace dltsim::attacks
