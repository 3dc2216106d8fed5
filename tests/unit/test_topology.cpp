#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "sim/net/network.hpp"
#include "sim/net/topology.hpp"

using namespace dltsim;

namespace {
const LatencyDraw kConstLatency = [](NodeId, NodeId, Rng&) { return 0.05; };
const std::vector<double> kBitcoinCdf = {0.025, 0.050, 0.075, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60,  0.70,
                                         0.80,  0.85,  0.90,  0.95, 0.97, 0.97, 0.98, 0.99, 0.995, 1.0};
}  // namespace

TEST_CASE("random topology follows the outbound-degree distribution") {
  Rng rng(11);
  const std::uint32_t n = 5000;
  const Topology t = build_random_topology(n, kBitcoinCdf, 117, kConstLatency, rng);
  // Mean of the distribution: sum over k of k * (cdf[k] - cdf[k-1]).
  double mean = 0, second = 0, prev = 0;
  for (std::size_t k = 0; k < kBitcoinCdf.size(); ++k) {
    const double p = kBitcoinCdf[k] - prev;
    mean += (k + 1) * p;
    second += (k + 1) * (k + 1) * p;
    prev = kBitcoinCdf[k];
  }
  const double sd = std::sqrt(second - mean * mean);
  double observed = 0;
  for (NodeId i = 0; i < n; ++i) observed += t.outbound(i);
  observed /= n;
  // Sample mean of n draws: standard error sd / sqrt(n); 4 standard errors.
  CHECK(std::fabs(observed - mean) < 4 * sd / std::sqrt(n));
  CHECK(t.is_connected());
}

TEST_CASE("the inbound cap is never exceeded and links are symmetric") {
  Rng rng(5);
  const std::uint32_t n = 300;
  const Topology t = build_random_topology(n, {0, 0, 0, 0, 0, 0, 0, 1}, 10, kConstLatency, rng);
  std::uint32_t links = 0;
  for (NodeId i = 0; i < n; ++i) {
    CHECK(t.inbound(i) <= 10);
    for (const auto& l : t.peers(i)) {
      CHECK(l.peer != i);
      CHECK(t.link(l.peer, i) != nullptr);
    }
    links += t.outbound(i);
    CHECK(t.peers(i).size() == t.outbound(i) + t.inbound(i));
  }
  CHECK(links == n * 8);  // everyone found 8 outbound peers
}

TEST_CASE("an impossible graph is an error, not a hang") {
  Rng rng(1);
  // Each node may open one connection and accept none: nothing can connect.
  CHECK_THROWS_WITH(build_random_topology(50, {1.0}, 0, kConstLatency, rng),
                    Catch::Contains("node 0 drew 1 outbound connections but could open only 0"));
  // Each node opens one connection and accepts one: every node gets its degree, but the graph
  // falls apart into cycles far more often than not.
  CHECK_THROWS_WITH(build_random_topology(1000, {1.0}, 1, kConstLatency, rng),
                    Catch::Contains("could not build a connected peer graph"));
}

TEST_CASE("disconnect keeps the counts right") {
  Topology t(3);
  t.connect(0, 1, 0.1);
  t.connect(2, 1, 0.1);
  CHECK(t.inbound(1) == 2);
  t.disconnect(1, 0);
  CHECK(t.inbound(1) == 1);
  CHECK(t.outbound(0) == 0);
  CHECK(t.link(0, 1) == nullptr);
  CHECK_FALSE(t.is_connected());
}

TEST_CASE("regions are filled in proportion to their shares") {
  Rng rng(2);
  std::vector<RegionSpec> regions{{"A", 0.5, 1, 1}, {"B", 0.3, 1, 1}, {"C", 0.2, 1, 1}};
  const auto r = assign_regions(1001, regions, rng);
  CHECK(std::count(r.begin(), r.end(), 0) == 501);  // 500.5 -> largest remainder goes to A
  CHECK(std::count(r.begin(), r.end(), 1) == 300);
  CHECK(std::count(r.begin(), r.end(), 2) == 200);
}

TEST_CASE("Pareto connection latencies have the table mean") {
  NetworkSpec spec;
  spec.nodes = 2;
  spec.regions = {{"A", 1, 1e6, 1e6}};
  spec.latency_s = {{0.124}};
  spec.latency_model = LatencyModel::pareto;
  spec.topology.model = "complete";
  const Network net(spec, SeedTree(1));
  Rng rng(9);
  const int n = 200000;
  double sum = 0, min = 1;
  for (int i = 0; i < n; ++i) {
    const double l = net.draw_latency_s(0, 1, rng);
    sum += l;
    min = std::min(min, l);
  }
  CHECK(min >= 0.119 - 1e-12);  // scale = mean - 5 ms
  // Shape 24.8 (mean 124 ms): variance finite; standard error of the mean < 0.1 ms here.
  CHECK(sum / n == Approx(0.124).margin(0.0005));
}
