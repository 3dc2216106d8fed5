#include <catch2/catch.hpp>
#include <cmath>

#include "sim/core/units.hpp"

using namespace dltsim;

TEST_CASE("durations parse with units") {
  CHECK(parse_duration_s("600 s") == 600.0);
  CHECK(parse_duration_s("1.5 min") == 90.0);
  CHECK(parse_duration_s("250 ms") == Approx(0.25));
  CHECK(parse_duration_s("2 h") == 7200.0);
  CHECK(parse_duration_s("1 d") == 86400.0);
  CHECK(parse_duration_s("  3us ") == Approx(3e-6));
  CHECK(parse_duration_s("0 s") == 0.0);
}

TEST_CASE("sizes use decimal and binary prefixes") {
  CHECK(parse_size_bytes("535 KB") == 535000.0);
  CHECK(parse_size_bytes("1 MiB") == 1048576.0);
  CHECK(parse_size_bytes("18 KB") == 18000.0);
  CHECK(parse_size_bytes("61 B") == 61.0);
}

TEST_CASE("rates are stored in bit/s") {
  CHECK(parse_rate_bps("20 Mbit/s") == 20e6);
  CHECK(parse_rate_bps("2.5 MB/s") == 20e6);
  CHECK(parse_rate_bps("100 kbps") == 1e5);
  CHECK(std::isinf(parse_rate_bps("unlimited")));
}

TEST_CASE("malformed quantities name the accepted units") {
  CHECK_THROWS_WITH(parse_duration_s("600"), Catch::Contains("has no unit") && Catch::Contains("ms, s, min"));
  CHECK_THROWS_WITH(parse_duration_s("10 minutes"), Catch::Contains("unknown duration unit 'minutes'"));
  CHECK_THROWS_WITH(parse_size_bytes("big"), Catch::Contains("expected a number and a unit"));
  CHECK_THROWS_WITH(parse_rate_bps("20 mbit/s"), Catch::Contains("Mbit/s"));
  CHECK_THROWS_AS(parse_duration_s("inf s"), UnitError);
}

TEST_CASE("quantities format for humans") {
  CHECK(format_duration(0.85) == "850 ms");
  CHECK(format_duration(12.4) == "12.4 s");
  CHECK(format_size(18000) == "18 KB");
  CHECK(format_rate(20e6) == "20 Mbit/s");
}

TEST_CASE("a quantity is finite once converted to its base unit") {
  CHECK(parse_duration_s("1e300 s") == 1e300);
  CHECK_THROWS_WITH(parse_duration_s("1e308 d"), Catch::Contains("too large") && Catch::Contains("to s"));
  CHECK_THROWS_WITH(parse_size_bytes("1e300 GiB"), Catch::Contains("too large"));
  CHECK_THROWS_WITH(parse_rate_bps("1e300 GB/s"), Catch::Contains("too large") && Catch::Contains("bit/s"));
  CHECK_THROWS_WITH(parse_duration_s("inf s"), Catch::Contains("not a finite duration"));
  CHECK_THROWS_WITH(parse_duration_s("1e400 s"), Catch::Contains("beyond what a double holds"));
  CHECK(std::isinf(parse_rate_bps("unlimited")));  // the one way to write infinity
}
