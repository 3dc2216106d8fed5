#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

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

TEST_CASE("a range prints exactly what it enforces") {
  const double inf = std::numeric_limits<double>::infinity();
  // Open at infinity: every finite value, never infinity itself.
  CHECK(greater_than(0).str() == "(0, inf)");
  CHECK(greater_than(0).contains(1e308));
  CHECK_FALSE(greater_than(0).contains(inf));
  CHECK(at_least(0).str() == "[0, inf)");
  CHECK_FALSE(at_least(0).contains(inf));
  CHECK(any_value().str() == "(-inf, inf)");
  CHECK_FALSE(any_value().contains(-inf));
  CHECK_FALSE(any_value().contains(std::nan("")));
  // Closed at infinity: "unlimited" is allowed, and the text says so.
  CHECK(at_least_or_unlimited(1).str() == "[1, inf]");
  CHECK(at_least_or_unlimited(1).contains(inf));
  CHECK(between(0, 1).str() == "[0, 1]");

  // The same holds for every parameter any extension declares: its range text ends in ")" at
  // infinity exactly when infinity is refused.
  const Catalog& c = builtin_catalog();
  std::vector<ParamSpec> all;
  for (const auto& p : c.protocols.entries()) all.insert(all.end(), p.params.begin(), p.params.end());
  for (const auto& a : c.attacks.entries()) all.insert(all.end(), a.params.begin(), a.params.end());
  for (const ParamSpec& s : all) {
    if (s.type == ParamType::choice || s.type == ParamType::boolean) continue;
    const std::string text = s.range.str();
    INFO(s.name << " " << text);
    CHECK(s.range.contains(inf) == (text.find("inf]") != std::string::npos));
  }
}

TEST_CASE("values in messages are quoted short, at a character boundary") {
  CHECK(quote_value("abc") == "'abc'");
  CHECK(quote_value(std::string(100, 'x')) == "'" + std::string(60, 'x') + "...' (100 bytes)");
  // "é" is two bytes: a cut at byte 60 would split the one that straddles it.
  const std::string accents = std::string(59, 'a') + "\xc3\xa9" + "zzz";
  CHECK(quote_value(accents) == "'" + std::string(59, 'a') + "...' (64 bytes)");
  CHECK(quote_value("a\nb\x01") == "'a\\nb\\x01'");
}
