#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>

#include <boost/random/exponential_distribution.hpp>

#include "sim/core/rng.hpp"
#include "sim/metrics/log_histogram.hpp"
#include "sim/metrics/result_file.hpp"
#include "sim/metrics/statistics.hpp"
#include "sim/node/event_queue.hpp"

using namespace dltsim;

TEST_CASE("histogram quantiles are within the bin resolution") {
  // Exponential(1): the q-quantile is -ln(1-q). Bins are 0.1 % wide; with 10^6 samples the sampling
  // error of the median is about 0.1 %; allow 1 %.
  LogHistogram h;
  Rng rng(4);
  boost::random::exponential_distribution<double> e(1.0);
  for (int i = 0; i < 1000000; ++i) h.add(e(rng));
  CHECK(h.quantile(0.5) == Approx(std::log(2.0)).epsilon(0.01));
  CHECK(h.quantile(0.9) == Approx(-std::log(0.1)).epsilon(0.01));
  CHECK(h.mean() == Approx(1.0).epsilon(0.01));
  CHECK(h.quantile(1.0) == h.max());
}

TEST_CASE("histogram handles zeros exactly") {
  LogHistogram h;
  for (int i = 0; i < 10; ++i) h.add(0.0);
  h.add(2.0);
  CHECK(h.quantile(0.5) == 0.0);
  CHECK(h.quantile(1.0) == 2.0);
}

TEST_CASE("event queue orders by time, then by insertion") {
  EventQueue q;
  q.push(2.0, EventKind::timer, 0, 1);
  q.push(1.0, EventKind::timer, 0, 2);
  q.push(1.0, EventKind::timer, 0, 3);
  CHECK(q.pop().data == 2);
  CHECK(q.pop().data == 3);
  CHECK(q.pop().data == 1);
}

TEST_CASE("event queue: interleaved pushes and pops come out in (time, insertion) order") {
  // Against a sorted reference, with many ties (times on a coarse grid) and a heap of thousands.
  EventQueue q;
  std::vector<std::pair<double, std::uint64_t>> pending;  // (time, seq)
  std::uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  double now = 0;
  for (int round = 0; round < 20000; ++round) {
    const int pushes = static_cast<int>(next() % 4);
    for (int k = 0; k < pushes; ++k) {
      const double t = now + static_cast<double>(next() % 50) * 0.5;
      const std::uint64_t seq = q.push(t, EventKind::timer, 0, 0);
      pending.emplace_back(t, seq);
    }
    if (!q.empty() && next() % 3 != 0) {
      const auto it = std::min_element(pending.begin(), pending.end());
      const Event e = q.pop();
      REQUIRE(e.time_s == it->first);
      REQUIRE(e.seq == it->second);
      now = e.time_s;
      pending.erase(it);
    }
  }
  CHECK(q.size() == pending.size());
}

namespace {
struct Row {
  std::uint32_t id;
  double value_s;
  char label[8];
};
TableSchema row_schema() {
  return {"rows",
          "test rows",
          sizeof(Row),
          {DLTSIM_COLUMN(Row, id, "", "id"), DLTSIM_COLUMN(Row, value_s, "s", "value"),
           DLTSIM_COLUMN(Row, label, "", "label")}};
}
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void write_file(const std::string& path, int n_rows) {
  ResultFile f(path);
  TableWriter& t = f.create_table(row_schema());
  for (int i = 0; i < n_rows; ++i) {
    Row r{};
    r.id = static_cast<std::uint32_t>(i);
    r.value_s = i * 0.5;
    t.append(&r);
  }
  t.rewrite([](std::uint64_t first, unsigned char* rows, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i)
      reinterpret_cast<Row*>(rows)[i].label[0] = (first + i) % 2 ? 'o' : 'e';
  });
  Summary s;
  s.set("x_s", 1.5, "s", "a duration");
  s.set("n", std::int64_t{3}, "blocks", "an integer");
  s.set("name", std::string("test"), "", "a text");
  f.write_attributes("summary", s);
  f.commit();
}
}  // namespace

TEST_CASE("result files are byte-reproducible and appear only when committed") {
  const std::string a = "test_metrics_a.h5", b = "test_metrics_b.h5";
  write_file(a, 100000);
  write_file(b, 100000);
  CHECK(slurp(a) == slurp(b));
  {
    ResultFile f("test_metrics_c.h5");
    CHECK(std::ifstream(f.temp_path()).good());
    CHECK_THAT(f.temp_path(), Catch::StartsWith("test_metrics_c.h5.") && Catch::EndsWith(".partial"));
    CHECK_FALSE(std::ifstream("test_metrics_c.h5").good());
    CHECK(f.abandon() == "test_metrics_c.incomplete.h5");
    CHECK_FALSE(std::ifstream(f.temp_path()).good());
  }
  CHECK(std::ifstream("test_metrics_c.incomplete.h5").good());
  CHECK_FALSE(std::ifstream("test_metrics_c.h5").good());
  for (const char* p : {"test_metrics_a.h5", "test_metrics_b.h5", "test_metrics_c.incomplete.h5"})
    std::remove(p);
}

TEST_CASE("an output file in a missing directory is a clear error") {
  CHECK_THROWS_WITH(ResultFile("/nonexistent-dir/x.h5"),
                    Catch::Contains("cannot create the result file '/nonexistent-dir/x.h5'") &&
                        Catch::Contains("No such file or directory"));
}

TEST_CASE("incomplete names") {
  CHECK(incomplete_path("runs/btc.h5") == "runs/btc.incomplete.h5");
  CHECK(incomplete_path("btc") == "btc.incomplete");
}

TEST_CASE("a proportion from few or no events gets an interval that means something") {
  // 0 of 20: the binomial SE would be 0 (a certainty); Wilson's 95 % interval is [0, 0.161].
  const ProportionEstimate none = proportion(0, 20);
  CHECK(none.value == 0);
  CHECK(std::isnan(none.standard_error));
  CHECK(none.ci_low == 0);
  CHECK(none.ci_high == Approx(0.1611).margin(1e-4));
  // 5 of 10: center 0.5, half-width 1.96 sqrt(0.025 + 1.96^2 / 400) / (1 + 1.96^2 / 10) = 0.2634.
  const ProportionEstimate half = proportion(5, 10);
  CHECK(half.ci_low == Approx(0.2366).margin(1e-4));
  CHECK(half.ci_high == Approx(0.7634).margin(1e-4));
  CHECK(half.standard_error == Approx(std::sqrt(0.25 / 10)));
  // No trials: nothing to say.
  CHECK(std::isnan(proportion(0, 0).value));
}

TEST_CASE("summary entries carry the support an interval over replications must respect") {
  Summary s;
  s.set("count", std::int64_t{3}, "", "a count");
  s.set("difference", std::int64_t{-3}, "", "a signed integer");
  s.set("delay_s", 0.4, "s", "a time");
  s.set("ratio", 0.4, "", "a plain number");
  s.set("rate", 0.4, "", "a proportion");
  s.set("name", std::string("sm1"), "", "text");
  s.mark_proportions({"rate", "not-set"});
  CHECK(s.entry("count")->support == Support::non_negative);
  CHECK(s.entry("difference")->support == Support::real);
  CHECK(s.entry("delay_s")->support == Support::non_negative);
  CHECK(s.entry("ratio")->support == Support::real);
  CHECK(s.entry("rate")->support == Support::proportion);
  CHECK(s.entry("name")->support == Support::real);
  CHECK(s.entry("not-set") == nullptr);
  s.set("rate", 0.5, "", "set again: the mark is the setter's to give");
  CHECK(s.entry("rate")->support == Support::real);
  CHECK(std::string(support_name(Support::proportion)) == "proportion");
}
