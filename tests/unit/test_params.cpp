#include <catch2/catch.hpp>

#include "sim/core/params.hpp"
#include "sim/run/builtin_extensions.hpp"

using namespace dltsim;

TEST_CASE("parameters parse by type and check their range") {
  const auto spec = param::duration("interval", "600 s", greater_than(0), "doc");
  ParamValues v;
  v.set(spec, "10 min");
  CHECK(v.number("interval") == 600.0);
  CHECK_THROWS_WITH(v.set(spec, "0 s"), Catch::Contains("out of range") && Catch::Contains("(0, inf) s"));
  CHECK_THROWS_WITH(v.set(spec, "ten"), Catch::Contains("expected a number and a unit"));
  const auto b = param::boolean("flag", true, "doc");
  CHECK_THROWS_WITH(v.set(b, "yes"), Catch::Contains("expected true or false"));
  const auto c = param::choice("rule", "a", {"a", "b"}, "doc");
  CHECK_THROWS_WITH(v.set(c, "z"), Catch::Contains("one of: a, b"));
  const auto i = param::integer("count", 3, between(1, 5), "doc");
  CHECK_THROWS_WITH(v.set(i, "2.5"), Catch::Contains("expected an integer"));
}

TEST_CASE("every registered parameter default is valid") {
  // Defaults go through the same parser as scenario values, so a bad default fails here.
  const Catalog& c = builtin_catalog();
  for (const auto& p : c.protocols.entries()) CHECK_NOTHROW(default_params(p.params));
  for (const auto& a : c.attacks.entries()) CHECK_NOTHROW(default_params(a.params));
  for (const auto& p : c.protocols.entries()) {
    for (const auto& s : p.params) CHECK_FALSE(s.doc.empty());
  }
}
