// Consensus power: the scenario's distributions, and the shares attacks take.

#include <catch2/catch.hpp>

#include <numeric>

#include "sim/core/error.hpp"
#include "sim/run/power.hpp"

using namespace dltsim;

TEST_CASE("power distributions are normalised shares") {
  Rng rng(1);
  PowerSpec equal;
  const auto e = power_shares(equal, 4, rng);
  CHECK(e == std::vector<double>{0.25, 0.25, 0.25, 0.25});
  PowerSpec explicit_shares;
  explicit_shares.distribution = PowerDistribution::shares;
  explicit_shares.shares = {0.5, 0.3};
  explicit_shares.others_equal = true;
  const auto s = power_shares(explicit_shares, 4, rng);
  CHECK(s[0] == Approx(0.5));
  CHECK(s[1] == Approx(0.3));
  CHECK(s[2] == Approx(0.1));
  PowerSpec normal;
  normal.distribution = PowerDistribution::normal;
  normal.mean = 400000;
  normal.stddev = 100000;
  const auto n = power_shares(normal, 1000, rng);
  CHECK(std::accumulate(n.begin(), n.end(), 0.0) == Approx(1.0));
}

TEST_CASE("attacks take their shares; the others keep their proportions of the rest") {
  std::vector<double> power{0.1, 0.2, 0.3, 0.4};
  assign_group_power(power, {{"a", {0}, 0.3}, {"b", {1}, 0.2}});
  CHECK(power[0] == Approx(0.3));
  CHECK(power[1] == Approx(0.2));
  CHECK(power[2] == Approx(0.5 * 3.0 / 7.0));  // 0.3 and 0.4 scaled to 0.5 in total
  CHECK(power[3] == Approx(0.5 * 4.0 / 7.0));
}

TEST_CASE("impossible power assignments are errors") {
  std::vector<double> power{0.25, 0.25, 0.25, 0.25};
  CHECK_THROWS_WITH(assign_group_power(power, {{"a", {0}, 0.6}, {"b", {1}, 0.5}}),
                    Catch::Contains("leave some"));
  CHECK_THROWS_WITH(assign_group_power(power, {{"a", {0, 1}, 0.3}, {"b", {1}, 0.2}}),
                    Catch::Contains("node 1"));
  CHECK_THROWS_WITH(assign_group_power(power, {{"a", {0, 1, 2, 3}, 0.3}}), Catch::Contains("every node"));
  CHECK_THROWS_WITH(assign_group_power(power, {{"a", {}, 0.3}}), Catch::Contains("selected no node"));
}
