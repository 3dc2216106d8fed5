#pragma once
// The node runtime. All nodes run inside SimGrid's kernel (maestro) as event handlers: one time-ordered
// event queue (deliveries, timers, callbacks) is driven by a single SimGrid kernel timer armed at its
// head, and transfers that matter run as SimGrid flows whose completions come back as deliveries.
// One wake-up handles every event up to the transport's lookahead past SimGrid's clock (a flow that
// completes later is delivered after them), so SimGrid's main loop turns once per window instead of
// once per event time; the order of events is the same.
// No SimGrid actor is involved: at 10k nodes a context switch per message costs more than the
// whole event (see docs/performance.md for the measurements behind this choice).

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <set>

#include <simgrid/forward.h>
#include <vector>

#include "sim/core/flat_id_set.hpp"
#include "sim/net/network.hpp"
#include "sim/net/platform.hpp"
#include "sim/net/transport.hpp"
#include "sim/node/event_queue.hpp"
#include "sim/node/node_context.hpp"
#include "sim/node/node_cpus.hpp"
#include "sim/node/protocol.hpp"
#include "sim/scenario/scenario.hpp"

namespace simgrid::kernel::timer {
class Timer;
}

namespace dltsim {

class Recorder;
class PeerManager;
class RuntimeGroup;

/// Why a run ended.
enum class EndReason { time_limit, drained, drain_limit, idle, interrupted, output_failed };

/// Name of an end reason ("time_limit", ...).
const char* end_reason_name(EndReason reason);

/// Progress of a run, reported between time slices.
struct RunProgress {
  double now_s;                 ///< simulated time
  std::uint64_t produced;       ///< blocks produced
  std::uint64_t events;         ///< events processed
  std::uint64_t in_flight = 0;  ///< messages under way (queued deliveries and transfers)
  bool draining = false;        ///< production stopped: what is in flight is being delivered
};

/// Counters of a finished run.
struct RunStats {
  EndReason reason = EndReason::idle;  ///< why it ended
  double end_time_s = 0;               ///< time of the last event
  std::uint64_t events = 0;            ///< events processed
  std::uint64_t deliveries = 0;        ///< messages delivered
  std::uint64_t produced = 0;          ///< blocks produced
  std::size_t flows_in_flight = 0;     ///< SimGrid transfers still running when the run stopped early
  std::size_t vetoed =
      0;  ///< activities SimGrid refused to start: the stop marker of an interrupted run, or none
};

/// Runs the nodes of one simulation.
class Runtime final : public DeliverySink {
 public:
  /// platform may be null when the network has no contention.
  Runtime(Network& network, const Platform* platform, const StopSpec& stop, const SeedTree& node_seeds,
          std::vector<double> power_shares, Recorder& recorder);
  ~Runtime() override;

  /// Installs the behaviour of a node (before run()).
  void install(NodeId node, std::unique_ptr<Protocol> protocol);
  /// A node's behaviour.
  Protocol& protocol(NodeId node) { return *protocols_[node]; }
  /// A node's context.
  NodeContext& context(NodeId node) { return contexts_[node]; }
  /// The network.
  Network& network() { return network_; }
  /// The transport (add filters here).
  Transport& transport() { return transport_; }
  /// Result tables and summary.
  Recorder& recorder() { return recorder_; }
  /// Consensus power share per node.
  const std::vector<double>& power_shares() const { return power_shares_; }

  /// Current simulated time: the time of the event being handled (SimGrid's clock may be behind,
  /// within the lookahead).
  double now_s() const { return now_s_; }
  /// Sends a message now.
  void send(Message&& msg);
  /// Schedules on_timer(tag) of `node` after delay_s.
  TimerId set_timer(NodeId node, double delay_s, std::uint64_t tag);
  /// Cancels a pending timer.
  void cancel_timer(TimerId timer);
  /// Runs work_s seconds of CPU on `node` (shared with its other jobs), then on_timer(tag) of the node.
  void compute(NodeId node, double work_s, std::uint64_t tag) { cpus_.run(node, work_s, tag); }
  /// The nodes' processors (attacks add background work here).
  NodeCpus& cpus() { return cpus_; }
  /// Runs fn at time_s (attack windows, topology changes).
  void call_at(double time_s, std::function<void()> fn);
  /// Tells both ends of the connection a-b that it works again (Protocol::on_reconnected), now.
  void reconnected(NodeId a, NodeId b);
  /// Takes a node offline or back online, now: offline, its messages are lost both ways, its peers
  /// are told (on_peer_lost); back online, each connection to an online peer reopens (on_reconnected).
  void set_online(NodeId node, bool online);
  /// Tells `node` (if online) that its connection to `peer` closed (Protocol::on_peer_lost), now.
  void connection_lost(NodeId node, NodeId peer);
  /// Hands connections and address messages to a peer manager (network.peers); null: static graph.
  void set_peer_manager(PeerManager* peers) { peers_ = peers; }
  /// The peer manager, or null when the peer graph is static.
  PeerManager* peer_manager() const { return peers_; }
  /// False while a node is offline.
  bool online(NodeId node) const { return online_.empty() || online_[node]; }
  /// Seconds a node has spent offline so far.
  double offline_s(NodeId node) const;
  /// Counts a produced block toward the stop condition.
  void count_produced();
  /// False once the stop condition on produced blocks is reached.
  bool producing() const { return !production_stopped_; }
  /// Blocks produced so far.
  std::uint64_t produced() const { return produced_; }

  /// Runs until the stop condition; calls progress between slices; stops early when *interrupt is set.
  RunStats run(const std::function<void(const RunProgress&)>& progress, const std::atomic<bool>* interrupt);
  /// Runs several runtimes (ledgers) on one engine and clock until each has finished, or until the
  /// first stop of any (time limit, interrupt, output failure); progress sums them. Stats in order.
  static std::vector<RunStats> run_together(const std::vector<Runtime*>& runtimes,
                                            const std::function<void(const RunProgress&)>& progress,
                                            const std::atomic<bool>* interrupt);
  /// Handles events at most cap_s past SimGrid's clock (default: the transport's lookahead alone).
  /// Ledgers on one engine share a cap no longer than any hand-off between them takes, so that a
  /// hand-off never lands in the past of the runtime that receives it.
  void cap_lookahead_s(double cap_s) { lookahead_cap_s_ = cap_s; }
  /// The transport's lookahead under the cap.
  double lookahead_s() const { return std::min(transport_.lookahead_s(), lookahead_cap_s_); }

  // DeliverySink
  void schedule_delivery(double time_s, Message&& msg) override;

 private:
  std::uint64_t push(double time_s, EventKind kind, std::uint32_t node, std::uint64_t data);
  void arm();
  void drain();
  friend class RuntimeGroup;
  bool stop_requested() const;
  void dispatch(const Event& e);
  std::optional<EndReason> finished() const;

  Network& network_;
  Transport transport_;
  StopSpec stop_;
  Recorder& recorder_;
  std::vector<double> power_shares_;
  std::vector<NodeContext> contexts_;
  std::vector<std::unique_ptr<Protocol>> protocols_;

  double sim_clock_s() const;

  EventQueue queue_;
  double now_s_ = 0;
  NodeCpus cpus_;
  PeerManager* peers_ = nullptr;
  std::vector<bool> online_;  // empty until a node first goes offline
  std::vector<double> offline_since_s_;
  std::vector<double> offline_total_s_;
  double slice_end_s_ = 0;  // events are handled ahead of SimGrid's clock up to this time at most
  // DLTSIM_NO_LOOKAHEAD=1 handles each event time in its own SimGrid round, as before the lookahead:
  // the reference that tests/cli/test_lookahead.py compares with.
  bool use_lookahead_ = true;
  RuntimeGroup* group_ = nullptr;  // several ledgers: one SimGrid timer wakes them all (run_together)
  double lookahead_cap_s_ = std::numeric_limits<double>::infinity();
  std::vector<Message> messages_;  // messages awaiting delivery, by slot
  std::vector<std::uint64_t> free_messages_;
  std::vector<std::function<void()>> callbacks_;
  std::vector<std::uint64_t> free_callbacks_;
  FlatIdSet live_timers_;
  std::size_t cancelled_in_queue_ = 0;  // cancelled timers not yet popped (lazy deletion)
  simgrid::kernel::timer::Timer* armed_ = nullptr;
  double armed_time_s_ = 0;
  bool draining_ = false;
  const std::atomic<bool>* interrupt_ = nullptr;
  bool stopped_ = false;                      // a stop was requested: nothing is dispatched or armed any more
  std::set<simgrid::s4u::Activity*> vetoed_;  // SimGrid leaves run_until when this is not empty
  simgrid::s4u::ExecPtr stop_marker_;         // the vetoed activity that stops the main loop

  std::uint64_t pending_deliveries_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t deliveries_ = 0;
  double last_event_s_ = 0;
  std::uint64_t produced_ = 0;
  bool production_stopped_ = false;
  double production_stop_s_ = 0;
};

}  // namespace dltsim
