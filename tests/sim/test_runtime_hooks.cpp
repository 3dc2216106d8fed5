// The node runtime's extension hooks that attacks use, exercised with a minimal protocol: message
// filters (drop, delay, redirect), timers (set, cancel), topology changes at a time. Each TEST_CASE
// builds one SimGrid engine, so each runs in its own process (catch_discover_tests).

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <simgrid/s4u/Engine.hpp>

#include "sim/metrics/recorder.hpp"
#include "sim/net/platform.hpp"
#include "sim/node/runtime.hpp"

using namespace dltsim;

namespace {

// Node 0 sends one "ping" to every other node at time 0; everyone records what arrives when.
struct Log {
  std::vector<std::pair<NodeId, double>> arrivals;  // (receiver, time)
  std::vector<std::pair<NodeId, std::uint64_t>> timers;
};

class Pinger final : public Protocol {
 public:
  explicit Pinger(Log& log) : log_(log) {}
  void on_start(NodeContext& ctx) override {
    if (ctx.id() != 0) return;
    for (NodeId to = 1; to < ctx.node_count(); ++to) ctx.send(to, 0, 100);
  }
  void on_message(NodeContext& ctx, const Message&) override {
    log_.arrivals.emplace_back(ctx.id(), ctx.now_s());
  }
  void on_timer(NodeContext& ctx, std::uint64_t tag) override { log_.timers.emplace_back(ctx.id(), tag); }

 private:
  Log& log_;
};

// Three nodes, complete graph, 100 ms latency, unlimited bandwidth.
struct World {
  std::unique_ptr<simgrid::s4u::Engine> engine;
  std::unique_ptr<Network> network;
  std::unique_ptr<Platform> platform;
  Recorder recorder{nullptr, {}};
  std::unique_ptr<Runtime> runtime;
  Log log;

  World() {
    static std::vector<std::string> args{"test"};
    for (const auto& o : simgrid_engine_options()) args.push_back(o);
    static std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    int argc = static_cast<int>(argv.size());
    engine = std::make_unique<simgrid::s4u::Engine>(&argc, argv.data());
    NetworkSpec spec;
    spec.nodes = 3;
    spec.regions = {RegionSpec{"A", 1.0, 1e15, 1e15}};
    spec.latency_s = {{0.1}};
    spec.topology.model = "complete";
    spec.contention = Contention::none;
    network = std::make_unique<Network>(spec, SeedTree(1));
    platform = std::make_unique<Platform>(*engine, *network);
    StopSpec stop;
    stop.time_s = 10.0;
    runtime = std::make_unique<Runtime>(*network, platform.get(), stop, SeedTree(2),
                                        std::vector<double>(3, 1.0 / 3), recorder);
    for (NodeId i = 0; i < 3; ++i) runtime->install(i, std::make_unique<Pinger>(log));
  }
  double arrival(NodeId node) const {
    for (const auto& [n, t] : log.arrivals) {
      if (n == node) return t;
    }
    return -1;
  }
};

class Rule final : public MessageFilter {
 public:
  explicit Rule(std::function<FilterVerdict(Message&)> f) : f_(std::move(f)) {}
  FilterVerdict on_send(Message& msg, double) override { return f_(msg); }

 private:
  std::function<FilterVerdict(Message&)> f_;
};

}  // namespace

TEST_CASE("a filter delays and redirects messages") {
  World w;
  Rule rule([](Message& m) {
    FilterVerdict v;
    if (m.to == 1) v.extra_delay_s = 0.5;  // delay to node 1
    if (m.to == 2) m.to = 1;               // redirect node 2's copy to node 1
    return v;
  });
  Rule drop_none([](Message&) { return FilterVerdict{}; });
  w.runtime->transport().add_filter(&rule);
  w.runtime->transport().add_filter(&drop_none);
  w.runtime->run(nullptr, nullptr);
  REQUIRE(w.log.arrivals.size() == 2);
  CHECK(w.log.arrivals[0].first == 1);
  CHECK(w.log.arrivals[0].second == Approx(0.1));
  CHECK(w.log.arrivals[1].first == 1);
  CHECK(w.log.arrivals[1].second == Approx(0.6));
  CHECK(w.arrival(2) < 0);
}

TEST_CASE("a dropped message never arrives and is counted") {
  World w;
  Rule drop([](Message& m) {
    FilterVerdict v;
    v.drop = m.to == 2;
    return v;
  });
  w.runtime->transport().add_filter(&drop);
  w.runtime->run(nullptr, nullptr);
  CHECK(w.arrival(1) == Approx(0.1));
  CHECK(w.arrival(2) < 0);
  CHECK(w.runtime->transport().traffic()[0].dropped == 1);
}

TEST_CASE("timers fire unless cancelled, and callbacks change the topology at a time") {
  World w;
  NodeContext& ctx = w.runtime->context(1);
  w.runtime->call_at(0.0, [&] {
    ctx.set_timer(2.0, 7);
    const TimerId t = ctx.set_timer(3.0, 8);
    ctx.cancel_timer(t);
  });
  std::size_t peers_before = 0, peers_after = 0;
  w.runtime->call_at(1.0, [&] {
    peers_before = w.network->topology().peers(0).size();
    w.network->topology().disconnect(0, 2);
    peers_after = w.network->topology().peers(0).size();
  });
  const RunStats stats = w.runtime->run(nullptr, nullptr);
  REQUIRE(w.log.timers.size() == 1);
  CHECK(w.log.timers[0] == std::make_pair(NodeId{1}, std::uint64_t{7}));
  CHECK(peers_before == 2);
  CHECK(peers_after == 1);
  CHECK(w.network->topology().link(2, 0) == nullptr);
  CHECK(stats.reason == EndReason::idle);  // nothing left to happen after the last timer
  CHECK(stats.end_time_s == Approx(2.0));
}
