#include "sim/net/platform.hpp"

#include <cmath>
#include <string>

#include <simgrid/s4u/Link.hpp>
#include <simgrid/s4u/NetZone.hpp>

namespace dltsim {

namespace sg4 = simgrid::s4u;

// SimGrid needs a finite capacity; "unlimited" access rates never reach SimGrid (the transport
// delivers those analytically), but links are still created for every host.
static double link_bytes_per_s(double bps) {
  return std::isinf(bps) ? 1e15 : bps / 8.0;
}

Platform::Platform(sg4::Engine& /*engine*/, const Network& network) {
  auto* zone = sg4::create_star_zone("dltsim");
  add_hosts(zone, network, "");
  zone->seal();
}

std::vector<std::unique_ptr<Platform>> Platform::several(
    sg4::Engine& /*engine*/, const std::vector<std::pair<const Network*, std::string>>& networks) {
  auto* zone = sg4::create_star_zone("dltsim");
  std::vector<std::unique_ptr<Platform>> platforms;
  for (const auto& [network, prefix] : networks) {
    platforms.push_back(std::unique_ptr<Platform>(new Platform()));
    platforms.back()->add_hosts(zone, *network, prefix);
  }
  zone->seal();
  return platforms;
}

void Platform::add_hosts(sg4::NetZone* zone, const Network& network, const std::string& prefix) {
  const bool shared_download = network.spec().contention == Contention::upload_download;
  hosts_.reserve(network.size());
  for (NodeId i = 0; i < network.size(); ++i) {
    const std::string name = prefix + "n" + std::to_string(i);
    auto* host = zone->create_host(name, 1e9);
    const NodeInfo& info = network.node(i);
    auto* up = zone->create_link(name + "-up", link_bytes_per_s(info.upload_bps))->set_latency(0)->seal();
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(up)}, false);
    if (shared_download) {
      auto* down =
          zone->create_link(name + "-down", link_bytes_per_s(info.download_bps))->set_latency(0)->seal();
      zone->add_route(nullptr, host->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(down)}, false);
    } else {
      // The star zone needs a route to every host; an empty one adds no constraint.
      zone->add_route(nullptr, host->get_netpoint(), nullptr, nullptr, {}, false);
    }
    hosts_.push_back(host);
  }
  // Empty routes both ways: a transfer to or from it is constrained by the node's link alone.
  outside_ = zone->create_host(prefix + "outside", 1e9);
  zone->add_route(outside_->get_netpoint(), nullptr, nullptr, nullptr, {}, false);
  zone->add_route(nullptr, outside_->get_netpoint(), nullptr, nullptr, {}, false);
}

std::vector<std::string> simgrid_engine_options() {
  return {
      // CM02: plain max-min sharing, no latency/bandwidth correction factors (LV08 scales latencies).
      "--cfg=network/model:CM02",
      // No TCP acknowledgement traffic on the reverse path.
      "--cfg=network/crosstraffic:0",
      "--log=root.thres:warning",
      // dltsim destroys the engine itself after a complete run, and leaves it to the end of the
      // process after an interrupted one (runtime.cpp): no second teardown at exit.
      "--cfg=debug/clean-atexit:false",
  };
}

}  // namespace dltsim
