#pragma once
// A node's window on the simulation: the only way a Protocol acts (send, timers, time, its own
// random stream, recorder). Concrete and small: it is on the per-message path.

#include <cstdint>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/core/rng.hpp"
#include "sim/net/message.hpp"
#include "sim/net/network.hpp"
#include "sim/net/topology.hpp"

namespace dltsim {

class Runtime;
class Recorder;

/// Services the runtime offers one node.
class NodeContext {
 public:
  /// Made by the runtime.
  NodeContext(Runtime* runtime, NodeId id, Rng rng) : runtime_(runtime), id_(id), rng_(rng) {}
  /// This node.
  NodeId id() const { return id_; }
  /// Current simulated time, seconds.
  double now_s() const;
  /// Current peers.
  const std::vector<PeerLink>& peers() const;
  /// True if this node opened the connection to `peer` (an outbound peer).
  bool opened(NodeId peer) const;
  /// Region and bandwidth of this node.
  const NodeInfo& info() const;
  /// True in the idealised network: every node reaches every other directly, so a protocol sends a
  /// block straight to all nodes and nobody relays it.
  bool broadcast_network() const;
  /// Number of nodes in the run.
  std::uint32_t node_count() const;
  /// This node's share of consensus power (hashrate or stake), 0..1.
  double power_share() const;
  /// Sends a message to any node (usually a peer).
  void send(NodeId to, MessageType type, std::uint32_t size_bytes, PayloadPtr payload = nullptr);
  /// Calls on_timer(tag) after delay_s; returns an id for cancel_timer.
  TimerId set_timer(double delay_s, std::uint64_t tag);
  /// Runs work_s seconds of CPU, shared with the node's other jobs, then on_timer(tag).
  void compute(double work_s, std::uint64_t tag);
  /// Cancels a pending timer (no-op if it already fired).
  void cancel_timer(TimerId timer);
  /// This node's random stream.
  Rng& rng() { return rng_; }
  /// False once the scenario's stop condition on produced blocks is met.
  bool producing() const;
  /// Counts one produced block (or decision) toward the stop condition.
  void count_produced();
  /// Result tables and summary.
  Recorder& recorder() const;

 private:
  Runtime* runtime_;
  NodeId id_;
  Rng rng_;
};

}  // namespace dltsim
