#include "sim/core/params.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/units.hpp"

namespace dltsim {

bool Range::contains(double v) const {
  if (std::isnan(v)) return false;
  // An infinite value is in the range only where the range is closed at infinity ("unlimited").
  if (std::isinf(v))
    return v > 0 ? std::isinf(hi) && hi > 0 && !hi_open : std::isinf(lo) && lo < 0 && !lo_open;
  if (lo_open ? !(v > lo) : !(v >= lo)) return false;
  if (hi_open ? !(v < hi) : !(v <= hi)) return false;
  return true;
}

static std::string bound_str(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:g}", v);
}

std::string Range::str() const {
  return fmt::format("{}{}, {}{}", lo_open ? "(" : "[", bound_str(lo), bound_str(hi), hi_open ? ")" : "]");
}

Range any_value() {
  return Range{-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), true, true};
}
Range at_least(double lo) {
  return Range{lo, std::numeric_limits<double>::infinity(), false, true};
}
Range at_least_or_unlimited(double lo) {
  return Range{lo, std::numeric_limits<double>::infinity(), false, false};
}
Range greater_than(double lo) {
  return Range{lo, std::numeric_limits<double>::infinity(), true, true};
}
Range between(double lo, double hi) {
  return Range{lo, hi, false, false};
}

std::string_view ParamSpec::type_name() const {
  switch (type) {
    case ParamType::integer:
      return "integer";
    case ParamType::real:
      return "real";
    case ParamType::boolean:
      return "boolean";
    case ParamType::duration:
      return "duration";
    case ParamType::size:
      return "size";
    case ParamType::rate:
      return "rate";
    case ParamType::probability:
      return "probability";
    case ParamType::choice:
      return "choice";
    case ParamType::list:
      return "list";
    case ParamType::text:
      return "name";
    case ParamType::section:
      return "section";
    case ParamType::selection:
      return "nodes";
  }
  return "?";
}

std::string_view ParamSpec::unit() const {
  switch (type) {
    case ParamType::duration:
      return "s";
    case ParamType::size:
      return "bytes";
    case ParamType::rate:
      return "bit/s";
    default:
      return "";
  }
}

std::string ParamSpec::allowed() const {
  switch (type) {
    case ParamType::boolean:
      return "true or false";
    case ParamType::list:
    case ParamType::text:
    case ParamType::section:
      return range.lo == -std::numeric_limits<double>::infinity() &&
                     range.hi == std::numeric_limits<double>::infinity()
                 ? std::string("see doc")
                 : range.str();
    case ParamType::selection:
      return "none, or a node selection as an attack's nodes";
    case ParamType::choice: {
      std::string s = "one of: ";
      for (size_t i = 0; i < choices.size(); ++i) s += (i ? ", " : "") + choices[i];
      return s;
    }
    default: {
      std::string s = range.str();
      if (!unit().empty()) s += " " + std::string(unit());
      if (type == ParamType::duration && range.contains(std::numeric_limits<double>::infinity()))
        s += " or never";
      return s;
    }
  }
}

namespace param {
static ParamSpec make(std::string name, ParamType type, std::string def, Range range, std::string doc) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = type;
  s.default_value = std::move(def);
  s.range = range;
  s.doc = std::move(doc);
  return s;
}
ParamSpec integer(std::string name, std::int64_t def, Range range, std::string doc) {
  return make(std::move(name), ParamType::integer, std::to_string(def), range, std::move(doc));
}
ParamSpec real(std::string name, double def, Range range, std::string doc) {
  return make(std::move(name), ParamType::real, fmt::format("{:g}", def), range, std::move(doc));
}
ParamSpec boolean(std::string name, bool def, std::string doc) {
  return make(std::move(name), ParamType::boolean, def ? "true" : "false", between(0, 1), std::move(doc));
}
ParamSpec duration(std::string name, std::string def, Range range_s, std::string doc) {
  return make(std::move(name), ParamType::duration, std::move(def), range_s, std::move(doc));
}
ParamSpec size(std::string name, std::string def, Range range_bytes, std::string doc) {
  return make(std::move(name), ParamType::size, std::move(def), range_bytes, std::move(doc));
}
ParamSpec rate(std::string name, std::string def, Range range_bps, std::string doc) {
  return make(std::move(name), ParamType::rate, std::move(def), range_bps, std::move(doc));
}
ParamSpec probability(std::string name, double def, std::string doc) {
  return make(std::move(name), ParamType::probability, fmt::format("{:g}", def), between(0, 1),
              std::move(doc));
}
ParamSpec choice(std::string name, std::string def, std::vector<std::string> choices, std::string doc) {
  ParamSpec s = make(std::move(name), ParamType::choice, std::move(def), any_value(), std::move(doc));
  s.choices = std::move(choices);
  return s;
}
ParamSpec selection(std::string name, std::string doc) {
  return make(std::move(name), ParamType::selection, "none", any_value(), std::move(doc));
}
ParamSpec duration_or_never(std::string name, std::string def, Range range_s, std::string doc) {
  range_s.hi = std::numeric_limits<double>::infinity();
  range_s.hi_open = false;
  return make(std::move(name), ParamType::duration, std::move(def), range_s, std::move(doc));
}
ParamSpec only_when(ParamSpec spec, std::string other, std::vector<std::string> values) {
  spec.only_with = std::move(other);
  spec.only_with_values = std::move(values);
  return spec;
}
}  // namespace param

std::string inert_reason(const ParamSpec& spec, const ParamValues& values) {
  if (spec.only_with.empty()) return "";
  const std::string& other = values.text(spec.only_with);
  for (const auto& v : spec.only_with_values) {
    if (v == other) return "";
  }
  return fmt::format("has no effect unless {} is {} (it is {})", spec.only_with,
                     fmt::join(spec.only_with_values, " or "), other);
}

static double parse_plain_number(std::string_view text, bool integer_only) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    throw Error(
        fmt::format("expected {}, got {}", integer_only ? "an integer" : "a number", quote_value(text)));
  }
  if (integer_only && v != std::floor(v))
    throw Error(fmt::format("expected an integer, got {}", quote_value(text)));
  return v;
}

void ParamValues::set(const ParamSpec& spec, std::string_view text) {
  Value v;
  v.text = std::string(text);
  switch (spec.type) {
    case ParamType::integer:
      v.number = parse_plain_number(text, true);
      break;
    case ParamType::real:
    case ParamType::probability:
      v.number = parse_plain_number(text, false);
      break;
    case ParamType::boolean:
      if (text == "true") {
        v.number = 1;
      } else if (text == "false") {
        v.number = 0;
      } else {
        throw Error(fmt::format("expected true or false, got {}", quote_value(text)));
      }
      break;
    case ParamType::duration:
      // "never" only where the range is closed at infinity (param::duration_or_never).
      v.number = text == "never" && spec.range.contains(std::numeric_limits<double>::infinity())
                     ? std::numeric_limits<double>::infinity()
                     : parse_duration_s(text);
      break;
    case ParamType::size:
      v.number = parse_size_bytes(text);
      break;
    case ParamType::rate:
      v.number = parse_rate_bps(text);
      break;
    case ParamType::list:
    case ParamType::text:
    case ParamType::section:
      throw std::logic_error("parameter of a scenario-section type: " + spec.name);
    case ParamType::selection:
      // The mapping is checked by the scenario loader against the network (read_selection).
      v.number = text == "none" ? 0 : 1;
      break;
    case ParamType::choice: {
      bool ok = false;
      for (const auto& c : spec.choices) ok = ok || c == text;
      if (!ok) throw Error(fmt::format("{} is not allowed: {}", quote_value(text), spec.allowed()));
      break;
    }
  }
  if (spec.type != ParamType::choice && spec.type != ParamType::boolean &&
      spec.type != ParamType::selection && !spec.range.contains(v.number)) {
    throw Error(fmt::format("{} is out of range: must be in {}", quote_value(text), spec.allowed()));
  }
  values_[spec.name] = std::move(v);
}

const ParamValues::Value& ParamValues::get(std::string_view name) const {
  const auto it = values_.find(name);
  // A missing name is a programming error: every declared parameter has a default.
  if (it == values_.end()) throw std::logic_error("parameter not declared: " + std::string(name));
  return it->second;
}

double ParamValues::number(std::string_view name) const {
  return get(name).number;
}
std::int64_t ParamValues::integer(std::string_view name) const {
  return static_cast<std::int64_t>(get(name).number);
}
bool ParamValues::flag(std::string_view name) const {
  return get(name).number != 0;
}
const std::string& ParamValues::choice(std::string_view name) const {
  return get(name).text;
}
const std::string& ParamValues::text(std::string_view name) const {
  return get(name).text;
}
bool ParamValues::has(std::string_view name) const {
  return values_.find(name) != values_.end();
}

ParamValues default_params(const std::vector<ParamSpec>& specs) {
  ParamValues values;
  for (const auto& s : specs) values.set(s, s.default_value);
  return values;
}

const ParamSpec* find_param(const std::vector<ParamSpec>& specs, std::string_view name) {
  for (const auto& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string param_names(const std::vector<ParamSpec>& specs) {
  std::string s;
  for (const auto& p : specs) s += (s.empty() ? "" : ", ") + p.name;
  return s.empty() ? "(none)" : s;
}

}  // namespace dltsim
