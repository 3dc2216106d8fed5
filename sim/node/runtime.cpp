#include "sim/node/runtime.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string_view>

#include <simgrid/kernel/Timer.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Exec.hpp>

#include "sim/metrics/recorder.hpp"
#include "sim/node/peer_manager.hpp"

namespace dltsim {

namespace sg4 = simgrid::s4u;

// Longest stretch of simulated time between two checks for interrupts and progress while
// transfers are in flight; with no transfer in flight the runtime jumps to the next event.
constexpr double kSliceS = 1.0;

const char* end_reason_name(EndReason reason) {
  switch (reason) {
    case EndReason::time_limit:
      return "time_limit";
    case EndReason::drained:
      return "drained";
    case EndReason::drain_limit:
      return "drain_limit";
    case EndReason::idle:
      return "idle";
    case EndReason::interrupted:
      return "interrupted";
    case EndReason::output_failed:
      return "output_failed";
  }
  return "?";
}

// ---- NodeContext: thin forwarding to the runtime ----
double NodeContext::now_s() const {
  return runtime_->now_s();
}
const std::vector<PeerLink>& NodeContext::peers() const {
  return runtime_->network().topology().peers(id_);
}
bool NodeContext::opened(NodeId peer) const {
  const std::vector<NodeId>& out = runtime_->network().topology().opened(id_);
  return std::find(out.begin(), out.end(), peer) != out.end();
}
const NodeInfo& NodeContext::info() const {
  return runtime_->network().node(id_);
}
bool NodeContext::broadcast_network() const {
  return runtime_->network().spec().idealised;
}
std::uint32_t NodeContext::node_count() const {
  return runtime_->network().size();
}
double NodeContext::power_share() const {
  return runtime_->power_shares()[id_];
}
void NodeContext::send(NodeId to, MessageType type, std::uint32_t size_bytes, PayloadPtr payload) {
  runtime_->send(Message{id_, to, type, size_bytes, std::move(payload)});
}
TimerId NodeContext::set_timer(double delay_s, std::uint64_t tag) {
  return runtime_->set_timer(id_, delay_s, tag);
}
void NodeContext::compute(double work_s, std::uint64_t tag) {
  runtime_->compute(id_, work_s, tag);
}
void NodeContext::cancel_timer(TimerId timer) {
  runtime_->cancel_timer(timer);
}
bool NodeContext::producing() const {
  return runtime_->producing();
}
void NodeContext::count_produced() {
  runtime_->count_produced();
}
Recorder& NodeContext::recorder() const {
  return runtime_->recorder();
}

// ---- Runtime ----
Runtime::Runtime(Network& network, const Platform* platform, const StopSpec& stop, const SeedTree& node_seeds,
                 std::vector<double> power_shares, Recorder& recorder)
    : network_(network),
      transport_(network, platform, *this, node_seeds.child("message_delay").rng()),
      stop_(stop),
      recorder_(recorder),
      power_shares_(std::move(power_shares)),
      cpus_(*this,
            [this](NodeId node, std::uint64_t tag) { protocols_[node]->on_timer(contexts_[node], tag); }) {
  if (const char* off = std::getenv("DLTSIM_NO_LOOKAHEAD"); off != nullptr && std::string_view(off) == "1")
    use_lookahead_ = false;
  contexts_.reserve(network.size());
  for (NodeId i = 0; i < network.size(); ++i) contexts_.emplace_back(this, i, node_seeds.child(i).rng());
  protocols_.resize(network.size());
}

Runtime::~Runtime() {
  if (armed_ != nullptr) armed_->remove();
}

void Runtime::install(NodeId node, std::unique_ptr<Protocol> protocol) {
  protocols_[node] = std::move(protocol);
}

double Runtime::sim_clock_s() const {
  return sg4::Engine::get_clock();
}

void Runtime::send(Message&& msg) {
  // An offline node has no connection: nothing leaves it and nothing reaches it.
  if (!online(msg.from) || !online(msg.to)) return;
  transport_.send(std::move(msg), now_s());
}

void Runtime::set_online(NodeId node, bool on) {
  if (online_.empty()) {
    online_.assign(protocols_.size(), true);
    offline_since_s_.assign(protocols_.size(), 0);
    offline_total_s_.assign(protocols_.size(), 0);
  }
  if (online_[node] == on) return;
  const auto& peers = network_.topology().peers(node);
  if (!on) {
    protocols_[node]->on_offline(contexts_[node]);
    online_[node] = false;
    offline_since_s_[node] = now_s_;
    // With a peer manager the connections close; else they stay and come back with the node.
    if (peers_ != nullptr) {
      peers_->on_offline(node);
    } else {
      for (const PeerLink& p : peers) connection_lost(p.peer, node);
    }
    return;
  }
  online_[node] = true;
  offline_total_s_[node] += now_s_ - offline_since_s_[node];
  protocols_[node]->on_online(contexts_[node]);
  if (peers_ != nullptr) {
    peers_->on_online(node);
    return;
  }
  for (const PeerLink& p : peers) {
    if (online_[p.peer]) reconnected(node, p.peer);
  }
}

void Runtime::connection_lost(NodeId node, NodeId peer) {
  if (online(node)) protocols_[node]->on_peer_lost(contexts_[node], peer);
}

double Runtime::offline_s(NodeId node) const {
  if (online_.empty()) return 0;
  return offline_total_s_[node] + (online_[node] ? 0.0 : now_s_ - offline_since_s_[node]);
}

std::uint64_t Runtime::push(double time_s, EventKind kind, std::uint32_t node, std::uint64_t data) {
  const std::uint64_t seq = queue_.push(time_s, kind, node, data);
  if (!draining_) arm();
  return seq;
}

void Runtime::schedule_delivery(double time_s, Message&& msg) {
  if (!std::isfinite(time_s)) return;  // delayed forever (a filter's infinite delay): never delivered
  std::uint64_t slot;
  if (free_messages_.empty()) {
    slot = messages_.size();
    messages_.push_back(std::move(msg));
  } else {
    slot = free_messages_.back();
    free_messages_.pop_back();
    messages_[slot] = std::move(msg);
  }
  ++pending_deliveries_;
  push(time_s, EventKind::deliver, messages_[slot].to, slot);
}

TimerId Runtime::set_timer(NodeId node, double delay_s, std::uint64_t tag) {
  // A timer at infinity (a node whose rate underflows to zero) never fires: it is not queued, and
  // its id is one no queued timer has, so cancelling it is a no-op.
  if (!std::isfinite(delay_s)) return kNeverTimer;
  const TimerId id = push(now_s() + std::max(0.0, delay_s), EventKind::timer, node, tag);
  live_timers_.insert(id);
  return id;
}

void Runtime::cancel_timer(TimerId timer) {
  if (live_timers_.erase(timer) != 0) ++cancelled_in_queue_;
}

void Runtime::call_at(double time_s, std::function<void()> fn) {
  if (!std::isfinite(time_s)) return;  // "never" (an attack window without end)
  std::uint64_t slot;
  if (free_callbacks_.empty()) {
    slot = callbacks_.size();
    callbacks_.push_back(std::move(fn));
  } else {
    slot = free_callbacks_.back();
    free_callbacks_.pop_back();
    callbacks_[slot] = std::move(fn);
  }
  push(std::max(time_s, now_s()), EventKind::callback, 0, slot);
}

void Runtime::reconnected(NodeId a, NodeId b) {
  protocols_[a]->on_reconnected(contexts_[a], b);
  protocols_[b]->on_reconnected(contexts_[b], a);
}

void Runtime::count_produced() {
  ++produced_;
  if (!production_stopped_ && stop_.blocks && produced_ >= *stop_.blocks) {
    production_stopped_ = true;
    production_stop_s_ = now_s();
    // Tell every node outside the handler that is running now.
    call_at(now_s(), [this] {
      for (NodeId i = 0; i < protocols_.size(); ++i) protocols_[i]->on_production_stopped(contexts_[i]);
    });
  }
}

bool Runtime::stop_requested() const {
  // A relaxed load and a flag: cheap enough to ask at every event.
  return (interrupt_ != nullptr && interrupt_->load(std::memory_order_relaxed)) || recorder_.failed();
}

// Several runtimes on one engine share one SimGrid timer, armed at the earliest time any of them
// asks for; at each wake-up every runtime handles what it has due within its lookahead. One runtime
// thus takes its events in the rounds another's events cause, instead of SimGrid turning once more
// for each, and the order of each runtime's own events stays what it is alone.
class RuntimeGroup {
 public:
  explicit RuntimeGroup(std::vector<Runtime*> members) : members_(std::move(members)) {
    for (Runtime* r : members_) r->group_ = this;
  }
  ~RuntimeGroup() {
    if (armed_ != nullptr) armed_->remove();
    for (Runtime* r : members_) r->group_ = nullptr;
  }
  RuntimeGroup(const RuntimeGroup&) = delete;
  RuntimeGroup& operator=(const RuntimeGroup&) = delete;
  void arm(double t) {
    if (armed_ != nullptr) {
      if (armed_time_s_ <= t) return;
      armed_->remove();
    }
    armed_time_s_ = t;
    armed_ = simgrid::kernel::timer::Timer::set(t, [this] {
      armed_ = nullptr;
      for (Runtime* r : members_) r->drain();
    });
  }

 private:
  std::vector<Runtime*> members_;
  simgrid::kernel::timer::Timer* armed_ = nullptr;
  double armed_time_s_ = 0;
};

void Runtime::arm() {
  if (stopped_) return;
  const double next_flow_s = transport_.next_flow_start_s();
  if (queue_.empty() && std::isinf(next_flow_s)) return;
  // After a stop request (seen here from a flow completion), come back at once to stop.
  const double t = stop_requested()
                       ? sim_clock_s()
                       : std::min(queue_.empty() ? next_flow_s : queue_.top().time_s, next_flow_s);
  if (group_ != nullptr) {
    group_->arm(t);
    return;
  }
  if (armed_ != nullptr) {
    if (armed_time_s_ <= t) return;
    armed_->remove();
  }
  armed_time_s_ = t;
  armed_ = simgrid::kernel::timer::Timer::set(t, [this] {
    armed_ = nullptr;
    drain();
  });
}

void Runtime::drain() {
  const double sim_now = sim_clock_s();
  now_s_ = std::max(now_s_, sim_now);
  transport_.collect_garbage();
  draining_ = true;
  transport_.start_due_flows(sim_now);
  while (!queue_.empty() && !stop_requested()) {
    // Events due now, then those before any flow completion can cause one (the lookahead is read
    // each time: a new connection may lower it), within the run loop's current slice.
    const double t = queue_.top().time_s;
    if (t > sim_now && !(use_lookahead_ && t < sim_now + lookahead_s() && t <= slice_end_s_)) break;
    now_s_ = t;
    dispatch(queue_.pop());
  }
  draining_ = false;
  if (stop_requested()) {
    // Interrupted, or the result file failed: make SimGrid return from run_until at the end of this
    // round instead of finishing the time slice, which can take minutes of wall time at 10^6 nodes.
    // A start vetoed by SimGrid (an execution on no host) is its public way to stop the main loop.
    // Transfers in flight are left as they are: cancelling them makes SimGrid 3.32 retire each one
    // with a scan of all the others, seconds at 10^5 nodes.
    stopped_ = true;
    if (!stop_marker_) {
      stop_marker_ = sg4::Exec::init();
      stop_marker_->vetoable_start();
    }
    return;
  }
  arm();
}

void Runtime::dispatch(const Event& e) {
  if (e.kind == EventKind::timer && live_timers_.erase(e.seq) == 0) {
    --cancelled_in_queue_;
    return;
  }
  ++events_;
  last_event_s_ = e.time_s;
  switch (e.kind) {
    case EventKind::deliver: {
      Message msg = std::move(messages_[e.data]);
      free_messages_.push_back(e.data);
      --pending_deliveries_;
      ++deliveries_;
      // In flight when its receiver or sender went offline: the connection closed, it is lost.
      if (!online(msg.to) || !online(msg.from)) break;
      if (peers_ != nullptr && peers_->handles(msg.type)) {
        peers_->on_message(msg);
      } else {
        protocols_[msg.to]->on_message(contexts_[msg.to], msg);
      }
      break;
    }
    case EventKind::timer:
      protocols_[e.node]->on_timer(contexts_[e.node], e.data);
      break;
    case EventKind::callback: {
      std::function<void()> fn = std::move(callbacks_[e.data]);
      callbacks_[e.data] = nullptr;
      free_callbacks_.push_back(e.data);
      fn();
      break;
    }
  }
}

std::optional<EndReason> Runtime::finished() const {
  const double now = sim_clock_s();
  if (stop_.time_s && now >= *stop_.time_s) return EndReason::time_limit;
  const bool quiet = queue_.size() == cancelled_in_queue_ && transport_.active_flows() == 0;
  if (production_stopped_ && quiet) return EndReason::drained;
  if (production_stopped_ && now >= production_stop_s_ + stop_.drain_s) return EndReason::drain_limit;
  if (quiet) return EndReason::idle;
  return std::nullopt;
}

RunStats Runtime::run(const std::function<void(const RunProgress&)>& progress,
                      const std::atomic<bool>* interrupt) {
  return run_together({this}, progress, interrupt).front();
}

std::vector<RunStats> Runtime::run_together(const std::vector<Runtime*>& runtimes,
                                            const std::function<void(const RunProgress&)>& progress,
                                            const std::atomic<bool>* interrupt) {
  if (runtimes.empty()) throw std::logic_error("run_together: no runtime");
  std::unique_ptr<RuntimeGroup> group;
  if (runtimes.size() > 1) group = std::make_unique<RuntimeGroup>(runtimes);
  for (Runtime* r : runtimes) {
    for (NodeId i = 0; i < r->protocols_.size(); ++i) {
      if (!r->protocols_[i]) throw std::logic_error("node without protocol");
    }
    // on_start runs as one callback at time 0 so that its sends and timers go through the queue.
    r->call_at(0.0, [r] {
      for (NodeId i = 0; i < r->protocols_.size(); ++i) r->protocols_[i]->on_start(r->contexts_[i]);
    });
    r->interrupt_ = interrupt;
  }
  sg4::Engine* engine = sg4::Engine::get_instance();
  // One set of vetoed activities for the engine: any runtime's stop marker stops the main loop.
  std::set<sg4::Activity*>& vetoed = runtimes.front()->vetoed_;
  sg4::Activity::set_vetoed_activities(&vetoed);
  const auto any = [&](auto pred) { return std::any_of(runtimes.begin(), runtimes.end(), pred); };
  EndReason reason = EndReason::idle;
  while (true) {
    if (any([](const Runtime* r) { return r->recorder_.failed(); })) {
      reason = EndReason::output_failed;
      break;
    }
    if (interrupt != nullptr && interrupt->load()) {
      reason = EndReason::interrupted;
      break;
    }
    // Ends at the first time limit, or when every runtime has finished on its own terms.
    bool all_finished = true;
    std::optional<EndReason> first;
    for (const Runtime* r : runtimes) {
      const auto f = r->finished();
      if (f == EndReason::time_limit) {
        first = f;
        all_finished = true;
        break;
      }
      if (!f) all_finished = false;
      if (f && !first) first = f;
    }
    if (all_finished && first) {
      reason = *first;
      break;
    }
    const double now = sg4::Engine::get_clock();
    double target = now + kSliceS;
    // With no transfer in flight nothing can happen before the next queued event: jump there.
    if (!any([](const Runtime* r) { return r->transport_.active_flows() > 0; })) {
      double next = std::numeric_limits<double>::infinity();
      for (const Runtime* r : runtimes) {
        if (!r->queue_.empty()) next = std::min(next, r->queue_.top().time_s);
      }
      if (std::isfinite(next)) target = std::max(target, next);
    }
    for (const Runtime* r : runtimes) {
      if (r->stop_.time_s) target = std::min(target, *r->stop_.time_s);
      if (r->production_stopped_) target = std::min(target, r->production_stop_s_ + r->stop_.drain_s);
    }
    for (Runtime* r : runtimes) r->slice_end_s_ = target;
    engine->run_until(target);
    if (progress) {
      RunProgress p{sg4::Engine::get_clock(), 0, 0, 0, true};
      for (const Runtime* r : runtimes) {
        p.produced += r->produced_;
        p.events += r->events_;
        p.in_flight += r->pending_deliveries_ + r->transport_.active_flows();
        p.draining = p.draining && r->production_stopped_;
      }
      progress(p);
    }
  }
  sg4::Activity::set_vetoed_activities(nullptr);
  group.reset();
  std::vector<RunStats> all;
  for (Runtime* r : runtimes) {
    RunStats stats;
    stats.reason = reason;
    stats.vetoed = vetoed.size();
    stats.flows_in_flight = r->transport_.active_flows() + r->transport_.cross_flows();
    // A time limit, a drain limit or a stop request can end the run with transfers in flight.
    if (stats.flows_in_flight > 0) r->transport_.abandon_in_flight();
    r->transport_.collect_garbage();
    stats.end_time_s = reason == EndReason::time_limit ? *r->stop_.time_s : r->last_event_s_;
    stats.events = r->events_;
    stats.deliveries = r->deliveries_;
    stats.produced = r->produced_;
    all.push_back(stats);
  }
  return all;
}

}  // namespace dltsim
