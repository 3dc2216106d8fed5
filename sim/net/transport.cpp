#include "sim/net/transport.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include <boost/random/exponential_distribution.hpp>
#include <simgrid/s4u/Activity.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>

namespace dltsim {

namespace {
// A flood's size: it never ends within any simulated time (a petabyte per flow).
constexpr std::uint64_t kCrossTrafficBytes = 1'000'000'000'000'000ULL;
// SimGrid's completion signal is global; it reaches the one Transport of this process (SimGrid
// allows one engine per process, and dltsim runs one simulation per process).
// Every transport of the process (one per ledger), by index: a flow's data names its transport in
// the bits above kSlotBits and its slot below, so one completion signal serves them all.
std::vector<Transport*> g_transports;
constexpr unsigned kSlotBits = 48;
constexpr std::uintptr_t kSlotMask = (std::uintptr_t{1} << kSlotBits) - 1;
bool g_signal_connected = false;

// A started host-to-host comm. Comm::sendto_init(from, to) sets the source while the destination is
// still unset, which SimGrid 3.32 records as a veto in the engine's vetoed set and never removes: the
// set grows with every comm and, non-empty, makes run_until return after each round. A comm marked
// starting with no payload yet is not tried until start().
simgrid::s4u::CommPtr start_comm(simgrid::s4u::Host* from, simgrid::s4u::Host* to, std::uint64_t size_bytes,
                                 void* data) {
  simgrid::s4u::CommPtr comm = simgrid::s4u::Comm::sendto_init();
  comm->set_state(simgrid::s4u::Activity::State::STARTING);
  comm->set_source(from)->set_destination(to);
  comm->set_data(data);
  comm->set_payload_size(size_bytes);
  comm->start();
  return comm;
}
}  // namespace

Transport::Transport(const Network& network, const Platform* platform, DeliverySink& sink, Rng delay_rng)
    : network_(network),
      platform_(platform),
      sink_(sink),
      delay_rng_(std::move(delay_rng)),
      flow_threshold_bytes_(network.spec().flow_threshold_bytes),
      contention_(network.spec().contention),
      flows_possible_(contention_ != Contention::none && !network.spec().idealised) {
  if (contention_ != Contention::none && platform_ == nullptr) {
    throw std::logic_error("Transport: flows need a platform");
  }
  index_ = g_transports.size();
  g_transports.push_back(this);
  if (!g_signal_connected) {
    simgrid::s4u::Activity::on_completion_cb(&Transport::on_activity_completion);
    g_signal_connected = true;
  }
}

Transport::~Transport() {
  g_transports[index_] = nullptr;
}

// The data of a cross-traffic comm: its completion (a cancel at the end of a flood) delivers nothing.
static int g_cross_marker = 0;

void Transport::on_activity_completion(const simgrid::s4u::Activity& activity) {
  if (activity.get_data<void>() == &g_cross_marker) return;
  const auto data = reinterpret_cast<std::uintptr_t>(activity.get_data<void>());
  const std::size_t index = data >> kSlotBits;
  if (index >= g_transports.size() || g_transports[index] == nullptr) return;
  g_transports[index]->on_flow_done(static_cast<std::size_t>(data & kSlotMask));
}

void Transport::send(Message msg, double now_s) {
  if (msg.type >= traffic_.size()) traffic_.resize(msg.type + 1);
  TrafficCount& count = traffic_[msg.type];
  ++count.sent;
  count.bytes += msg.size_bytes;

  double extra_delay_s = 0;
  for (MessageFilter* f : filters_) {
    const FilterVerdict v = f->on_send(msg, now_s);
    if (v.drop) {
      ++count.dropped;
      return;
    }
    extra_delay_s += std::max(0.0, v.extra_delay_s);  // never earlier: the lookahead relies on it
  }
  if (msg.to == msg.from) {  // a node talking to itself (after a redirect): no network involved
    sink_.schedule_delivery(now_s + extra_delay_s, std::move(msg));
    return;
  }
  const NetworkSpec& spec = network_.spec();
  if (spec.idealised) {  // the textbook network: a delay per message, no bandwidth
    double delay_s = spec.delay_s;
    if (spec.delay_law == DelayLaw::exponential && delay_s > 0) {
      delay_s = boost::random::exponential_distribution<double>(1 / spec.delay_s)(delay_rng_);
    }
    sink_.schedule_delivery(now_s + delay_s + extra_delay_s, std::move(msg));
    return;
  }

  const NodeInfo& src = network_.node(msg.from);
  const NodeInfo& dst = network_.node(msg.to);
  const double latency_s = network_.latency_s(msg.from, msg.to);
  const double cap_bps = std::min(src.upload_bps, dst.download_bps);
  const double bits = 8.0 * msg.size_bytes;
  const double solo_transfer_s = std::isinf(cap_bps) ? 0.0 : bits / cap_bps;

  const bool as_flow =
      contention_ != Contention::none && msg.size_bytes >= flow_threshold_bytes_ && solo_transfer_s > 0;
  if (!as_flow) {
    sink_.schedule_delivery(now_s + solo_transfer_s + latency_s + extra_delay_s, std::move(msg));
    return;
  }

  ++count.as_flows;
  std::size_t slot;
  if (free_slots_.empty()) {
    slot = flows_.size();
    flows_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  Flow& flow = flows_[slot];
  // In upload-only mode the receiver's download rate is not a SimGrid link: it bounds the transfer
  // time from below instead (exact when the download is the bottleneck and the flow is alone there).
  flow.earliest_end_s = contention_ == Contention::upload && !std::isinf(dst.download_bps)
                            ? now_s + bits / dst.download_bps
                            : now_s;
  flow.post_delay_s = latency_s + extra_delay_s;
  flow.msg = std::move(msg);
  ++active_flows_;
  // Sent ahead of SimGrid's clock: starts when the clock gets there (the runtime arms a timer).
  if (now_s > simgrid::s4u::Engine::get_clock()) {
    waiting_.emplace_back(now_s, slot);
    return;
  }
  start_flow(slot);
}

void Transport::start_flow(std::size_t slot) {
  Flow& flow = flows_[slot];
  flow.comm = start_comm(platform_->host(flow.msg.from), platform_->host(flow.msg.to), flow.msg.size_bytes,
                         reinterpret_cast<void*>((static_cast<std::uintptr_t>(index_) << kSlotBits) |
                                                 static_cast<std::uintptr_t>(slot)));
}

void Transport::start_due_flows(double sim_now_s) {
  // At equal times cross-traffic changes go first (a flood starts or ends at its attack's window
  // edge; a block sent at that very instant is a tie of measure zero).
  while (!cross_waiting_.empty() && cross_waiting_.front().time_s <= sim_now_s) {
    apply(cross_waiting_.front());
    cross_waiting_.pop_front();
  }
  while (!waiting_.empty() && waiting_.front().first <= sim_now_s) {
    start_flow(waiting_.front().second);
    waiting_.pop_front();
  }
}

double Transport::next_flow_start_s() const {
  const double inf = std::numeric_limits<double>::infinity();
  return std::min(waiting_.empty() ? inf : waiting_.front().first,
                  cross_waiting_.empty() ? inf : cross_waiting_.front().time_s);
}

std::size_t Transport::start_cross_traffic(NodeId node, bool inbound, std::uint32_t count, double now_s) {
  if (platform_ == nullptr || contention_ == Contention::none) {
    throw std::logic_error("cross traffic needs SimGrid links (contention upload or upload_download)");
  }
  cross_.push_back(CrossTraffic{node, inbound, count, {}});
  const CrossOp op{now_s, cross_.size() - 1, true};
  if (now_s > simgrid::s4u::Engine::get_clock()) {
    cross_waiting_.push_back(op);
  } else {
    apply(op);
  }
  return op.handle;
}

void Transport::stop_cross_traffic(std::size_t handle, double now_s) {
  const CrossOp op{now_s, handle, false};
  if (now_s > simgrid::s4u::Engine::get_clock()) {
    cross_waiting_.push_back(op);
  } else {
    apply(op);
  }
}

void Transport::apply(const CrossOp& op) {
  CrossTraffic& c = cross_[op.handle];
  if (!op.start) {
    for (auto& comm : c.comms) comm->cancel();
    cross_running_ -= c.comms.size();
    // Released later, outside the SimGrid callbacks that may still hold them.
    for (auto& comm : c.comms) finished_.push_back(std::move(comm));
    c.comms.clear();
    return;
  }
  simgrid::s4u::Host* node = platform_->host(c.node);
  for (std::uint32_t i = 0; i < c.count; ++i) {
    c.comms.push_back(c.inbound
                          ? start_comm(platform_->outside(), node, kCrossTrafficBytes, &g_cross_marker)
                          : start_comm(node, platform_->outside(), kCrossTrafficBytes, &g_cross_marker));
  }
  cross_running_ += c.count;
}

void Transport::abandon_in_flight() {
  abandoned_ = true;
  waiting_.clear();
  cross_waiting_.clear();
  for (CrossTraffic& c : cross_) {
    for (auto& comm : c.comms) (void)comm.detach();  // deliberately not released: see the header
  }
  for (Flow& flow : flows_) {
    if (flow.comm) (void)flow.comm.detach();  // deliberately not released: see the header
  }
}

void Transport::on_flow_done(std::size_t slot) {
  if (abandoned_) return;
  Flow& flow = flows_[slot];
  const double now_s = simgrid::s4u::Engine::get_clock();
  const double arrival_s = std::max(now_s, flow.earliest_end_s) + flow.post_delay_s;
  // The comm object is still in use by the signal that called us: release it later.
  finished_.push_back(std::move(flow.comm));
  --active_flows_;
  sink_.schedule_delivery(arrival_s, std::move(flow.msg));
  free_slots_.push_back(slot);
}

}  // namespace dltsim
