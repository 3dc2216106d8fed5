#pragma once
// The SimGrid side of the network, built in C++ from the scenario: one host per ledger node in a
// flat star zone, with a private upload link and (in upload_download mode) a private download link.
// Latency is not put on SimGrid routes: the transport adds each connection's latency itself, so
// SimGrid only solves bandwidth sharing, on the transfers that are large enough to matter.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Host.hpp>

#include "sim/net/network.hpp"

namespace dltsim {

/// SimGrid hosts and links for a Network.
class Platform {
 public:
  /// Creates the zone, hosts and links on `engine` (which must not have a platform yet).
  Platform(simgrid::s4u::Engine& engine, const Network& network);
  /// Several ledgers' networks on one engine (which must not have a platform yet): one zone, each
  /// network's hosts named with its prefix ("source/n0"); a platform per network, in order.
  static std::vector<std::unique_ptr<Platform>> several(
      simgrid::s4u::Engine& engine, const std::vector<std::pair<const Network*, std::string>>& networks);
  /// The host of a node.
  simgrid::s4u::Host* host(NodeId node) const { return hosts_[node]; }
  /// A host outside the ledger network whose own links never limit a transfer: the other end of
  /// cross traffic (a flood), so that only the node's access link constrains it.
  simgrid::s4u::Host* outside() const { return outside_; }

 private:
  Platform() = default;
  void add_hosts(simgrid::s4u::NetZone* zone, const Network& network, const std::string& prefix);
  std::vector<simgrid::s4u::Host*> hosts_;
  simgrid::s4u::Host* outside_ = nullptr;
};

/// Engine options dltsim needs (CM02 max-min sharing without TCP cross-traffic, quiet logs);
/// pass to the Engine constructor's argv.
std::vector<std::string> simgrid_engine_options();

}  // namespace dltsim
