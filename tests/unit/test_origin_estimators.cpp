#include <catch2/catch.hpp>

#include <cmath>

#include "sim/core/rng.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/net/topology.hpp"
#include "sim/tx/origin_estimators.hpp"
#include "sim/tx/origin_observer.hpp"
#include "sim/tx/transaction_layer.hpp"

using namespace dltsim;

namespace {
const LatencyDraw kLatency = [](NodeId, NodeId, Rng&) { return 0.01; };

NodeId guess(const std::string& name, const std::vector<OriginReport>& r, const Topology& t) {
  const std::vector<bool> avoid(t.size(), false);
  const EstimatorContext ctx{t, avoid};
  DistanceScratch scratch;
  const ReportGeometry g = report_geometry(r, ctx, scratch);
  for (const OriginEstimator& e : origin_estimators()) {
    if (e.name == name) return e.guess(r, g);
  }
  FAIL("no estimator " << name);
  return kNoNode;
}
}  // namespace

TEST_CASE("a regular tree: the root has d children, inner nodes d - 1, breadth-first ids") {
  Rng rng(1);
  const Topology t = build_tree_topology(1 + 4 + 12 + 36, 4, kLatency, rng);
  CHECK(t.peers(0).size() == 4);
  for (NodeId i = 1; i <= 16; ++i) CHECK(t.peers(i).size() == 4);  // depth 1 and 2: a parent, 3 children
  for (NodeId i = 17; i < 53; ++i) CHECK(t.peers(i).size() == 1);  // leaves
  CHECK(t.link(0, 1) != nullptr);
  CHECK(t.link(1, 5) != nullptr);  // node 1's children are 5, 6, 7
  CHECK(t.link(2, 8) != nullptr);
  CHECK(t.opened(0).size() == 4);  // parents open the connections
  CHECK(t.is_connected());
}

TEST_CASE("estimators: first report, Jordan centre, timing fit") {
  Rng rng(1);
  // A star: centre 0, leaves 1..6. Reports from three leaves name the centre as their Jordan centre.
  Topology star(7);
  for (NodeId i = 1; i < 7; ++i) star.connect(0, i, 0.01);
  const std::vector<OriginReport> r{{3, 0, 1.0}, {1, 0, 1.5}, {5, 0, 2.0}};
  CHECK(guess("first_timestamp", r, star) == 3);
  CHECK(guess("reporting_centre", r, star) == 0);
  // A path 0-1-2-3-4-5-6: reports whose times grow with the distance from node 2 name node 2 (or a
  // node that fits as well: the fit is unchanged along the line beyond the reporters; ties go to the
  // lower id, so reporters on both sides are needed to pin it).
  Topology path(7);
  for (NodeId i = 0; i + 1 < 7; ++i) path.connect(i, i + 1, 0.01);
  const std::vector<OriginReport> both{{1, 0, 1.0}, {3, 0, 1.0}, {0, 0, 2.0}, {4, 0, 2.0}};
  CHECK(guess("timing_fit", both, path) == 2);
  CHECK(guess("reporting_centre", both, path) == 2);
}

TEST_CASE("an observer keeps the earliest distinct senders and scores against the origin") {
  TxSpec spec;
  spec.enabled = true;
  Recorder recorder(nullptr, {});
  TransactionLayer layer(spec, 6, recorder, SeedTree(1));
  const TxId a = layer.create(2, 0.0, 250, 10);
  const TxId b = layer.create(4, 0.0, 250, 10);
  OriginObserver obs(layer, recorder, ObserverOptions{"o", 0, 2, 0, 0, 100});
  obs.set_adversarial({5});
  obs.report(a, 5, 3, 2.0, ObservationKind::announced);
  obs.report(a, 5, 2, 1.0, ObservationKind::announced);  // earlier: goes first
  obs.report(a, 5, 2, 3.0, ObservationKind::announced);  // same sender, later: ignored
  obs.report(a, 5, 1, 4.0, ObservationKind::announced);  // beyond reports_kept = 2
  obs.report(b, 5, 5, 0.5, ObservationKind::announced);  // from the adversary's own node: ignored
  obs.report(b, 5, 1, 1.0, ObservationKind::by_size);
  Topology t(6);
  for (NodeId i = 0; i + 1 < 6; ++i) t.connect(i, i + 1, 0.01);
  Summary s;
  obs.finish(s, t);
  CHECK(s.number("o_transactions") == 2);
  CHECK(s.number("o_first_timestamp_precision") == Approx(0.5));  // a -> 2 right, b -> 1 wrong
  CHECK(s.number("o_first_timestamp_recall") == Approx(0.5));
  CHECK(s.number("o_first_timestamp_correct_delay_median_s") == Approx(1.0));
}

TEST_CASE("an observer that heard nothing: precision undefined with a note, recall 0") {
  TxSpec spec;
  spec.enabled = true;
  Recorder recorder(nullptr, {});
  TransactionLayer layer(spec, 3, recorder, SeedTree(1));
  layer.create(0, 1.0, 250, 10);
  OriginObserver obs(layer, recorder, ObserverOptions{"o", 0, 8, 0, 0, 100});
  Topology t(3);
  Summary s;
  obs.finish(s, t);
  CHECK(std::isnan(s.number("o_first_timestamp_precision", 0)));
  CHECK(s.entry("o_first_timestamp_precision")->note.find("heard no transaction") != std::string::npos);
  CHECK(s.number("o_first_timestamp_recall") == 0);
}

TEST_CASE("pair_uniform: the same from both ends, uniform over pairs") {
  double sum = 0;
  int n = 0;
  for (std::uint32_t a = 0; a < 200; ++a) {
    for (std::uint32_t b = a + 1; b < 200; ++b) {
      const double u = pair_uniform(7, a, b);
      CHECK(u == pair_uniform(7, b, a));
      sum += u;
      ++n;
    }
  }
  // Mean of n uniforms: standard error 1 / sqrt(12 n); 4 standard errors.
  CHECK(std::fabs(sum / n - 0.5) < 4 / std::sqrt(12.0 * n));
}
