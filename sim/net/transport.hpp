#pragma once
// Moves messages between nodes. A message's delivery time is
//   send time + serialisation + connection latency (+ any delay a filter adds).
// Small messages (inv, getdata, votes) are serialised analytically at min(upload, download): they
// do not load a link noticeably, and skipping SimGrid for them is what makes large runs fast.
// Messages of at least flow_threshold_bytes (blocks) become SimGrid flows, so concurrent transfers
// share bandwidth by SimGrid's max-min model; the latency is added when the flow completes.
// The runtime may handle events ahead of SimGrid's clock (within the lookahead, see lookahead_s());
// a flow sent then starts in SimGrid when its clock reaches the send time (start_due_flows).

#include <cstdint>
#include <deque>
#include <limits>
#include <utility>
#include <vector>

#include <simgrid/s4u/Comm.hpp>

#include "sim/net/message.hpp"
#include "sim/net/message_filter.hpp"
#include "sim/net/network.hpp"
#include "sim/net/platform.hpp"

namespace dltsim {

/// Receives messages once their delivery time is known (implemented by the node runtime).
class DeliverySink {
 public:
  virtual ~DeliverySink() = default;
  /// Deliver msg to msg.to at time_s (>= now).
  virtual void schedule_delivery(double time_s, Message&& msg) = 0;
};

/// Message and byte counts for one message type.
struct TrafficCount {
  std::uint64_t sent = 0;      ///< messages handed to the transport
  std::uint64_t bytes = 0;     ///< their bytes
  std::uint64_t dropped = 0;   ///< dropped by filters
  std::uint64_t as_flows = 0;  ///< sent as SimGrid flows
};

/// The transport of one run.
class Transport {
 public:
  /// platform may be null only when contention is none; delay_rng draws the delays of the
  /// idealised network.
  Transport(const Network& network, const Platform* platform, DeliverySink& sink, Rng delay_rng);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  /// Adds a filter; filters see messages in the order they were added.
  void add_filter(MessageFilter* filter) { filters_.push_back(filter); }
  /// Sends msg at now_s (at or after SimGrid's clock).
  void send(Message msg, double now_s);
  /// Starts, in the order they were sent, the flows sent for a time up to sim_now_s (SimGrid's clock).
  void start_due_flows(double sim_now_s);
  /// Send time of the earliest flow waiting for SimGrid's clock, or infinity.
  double next_flow_start_s() const;
  /// How far past SimGrid's clock events can be handled without missing one: every flow completing
  /// after the clock is delivered at least this much later (its latency), so nothing it causes comes
  /// earlier. Infinite when no message can become a flow.
  double lookahead_s() const {
    return flows_possible_ ? network_.min_latency_s() : std::numeric_limits<double>::infinity();
  }
  /// Starts, at now_s, `count` transfers that never end between the outside world and `node`: into
  /// its download link (`inbound`) or out of its upload link. They take their max-min share of that
  /// link as real traffic does (a flood); nothing is delivered. Returns a handle for stop_cross_traffic.
  std::size_t start_cross_traffic(NodeId node, bool inbound, std::uint32_t count, double now_s);
  /// Ends the cross traffic of a handle at now_s.
  void stop_cross_traffic(std::size_t handle, double now_s);
  /// Cross-traffic transfers running.
  std::size_t cross_flows() const { return cross_running_; }
  /// SimGrid flows not yet completed (including those waiting to start).
  std::size_t active_flows() const { return active_flows_; }
  /// Counts per message type (indexed by type id).
  const std::vector<TrafficCount>& traffic() const { return traffic_; }
  /// Releases completed SimGrid comms; called outside SimGrid callbacks.
  void collect_garbage() { finished_.clear(); }
  /// Abandons the flows still in progress (a run stopped early): they are never delivered, and
  /// their handles are dropped without being released, since SimGrid would complain of a comm freed
  /// before completion. The engine must not be torn down afterwards (run_simulation leaves it).
  void abandon_in_flight();

 private:
  struct Flow {
    simgrid::s4u::CommPtr comm;
    Message msg;
    double earliest_end_s = 0;  // download cap in upload-only mode
    double post_delay_s = 0;    // latency + filter delay, added at completion
  };
  void start_flow(std::size_t slot);
  struct CrossTraffic {
    NodeId node;
    bool inbound;
    std::uint32_t count;
    std::vector<simgrid::s4u::CommPtr> comms;
  };
  struct CrossOp {
    double time_s;
    std::size_t handle;
    bool start;
  };
  void apply(const CrossOp& op);
  void on_flow_done(std::size_t slot);
  static void on_activity_completion(const simgrid::s4u::Activity& activity);

  const Network& network_;
  const Platform* platform_;
  std::size_t index_ = 0;  // among the process's transports (one per ledger)
  DeliverySink& sink_;
  std::vector<MessageFilter*> filters_;
  std::vector<TrafficCount> traffic_;
  std::vector<Flow> flows_;
  std::vector<std::size_t> free_slots_;
  std::deque<std::pair<double, std::size_t>> waiting_;  // (send time, slot) of flows ahead of SimGrid
  std::vector<CrossTraffic> cross_;
  std::deque<CrossOp> cross_waiting_;  // cross-traffic changes ahead of SimGrid, in time order
  std::size_t cross_running_ = 0;
  std::vector<simgrid::s4u::CommPtr> finished_;
  std::size_t active_flows_ = 0;
  Rng delay_rng_;
  bool abandoned_ = false;
  double flow_threshold_bytes_;
  Contention contention_;
  bool flows_possible_;  // contention on and not the idealised network
};

}  // namespace dltsim
