#pragma once
// Parameters of extensions (protocols, attacks), declared once with name, type, unit, default,
// allowed range and doc (as ns-3 attributes are). The scenario validator, `dltsim describe` and the
// Python API all read these declarations, so no second list can drift.

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dltsim {

/// What a parameter holds; durations, sizes and rates are written with units and stored in s, bytes, bit/s.
enum class ParamType {
  integer,
  real,
  boolean,
  duration,
  size,
  rate,
  probability,
  choice,
  list,     ///< a sequence (scenario sections only; documented, read by the section)
  text,     ///< a free name (scenario sections only)
  section,  ///< a mapping that is a section of its own (scenario sections only)
  /// A set of nodes written as an attack's `nodes` ({top_power: 10}, {region: NA}) or `none`; the
  /// scenario loader reads the mapping, the run plan resolves it (attack parameters only).
  selection,
};

/// An interval of allowed numeric values. Infinity is allowed only where the interval is closed at
/// infinity ("[1, inf]": a rate that may be "unlimited"); "(0, inf)" admits every finite positive value.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();  ///< lower bound
  double hi = std::numeric_limits<double>::infinity();   ///< upper bound
  bool lo_open = true;                                   ///< lower bound excluded
  bool hi_open = true;                                   ///< upper bound excluded
  /// True if v lies in the interval.
  bool contains(double v) const;
  /// Interval notation, e.g. "[1, 100000]" or "(0, inf)".
  std::string str() const;
};

/// Any value.
Range any_value();
/// [lo, inf): finite values from lo.
Range at_least(double lo);
/// [lo, inf]: finite values from lo, or infinity (a rate written "unlimited").
Range at_least_or_unlimited(double lo);
/// (lo, inf).
Range greater_than(double lo);
/// [lo, hi].
Range between(double lo, double hi);

/// Declaration of one parameter.
struct ParamSpec {
  std::string name;                  ///< key in the scenario, snake_case
  ParamType type = ParamType::real;  ///< value type
  std::string default_value;         ///< default as written in a scenario, e.g. "600 s"
  Range range;                       ///< allowed values (numeric types)
  std::vector<std::string> choices;  ///< allowed values (choice type)
  std::string doc;                   ///< one-line description
  std::string only_with;             ///< has an effect only when this parameter of the same extension...
  std::vector<std::string> only_with_values;  ///< ...has one of these values (as written); empty: always
  /// Type name for documentation ("duration", "integer", ...).
  std::string_view type_name() const;
  /// Unit the value is stored in ("s", "bytes", "bit/s") or "" for plain numbers.
  std::string_view unit() const;
  /// What may be written, e.g. "(0 s, inf)" or "one of: first_seen, random".
  std::string allowed() const;
};

/// Builders for concise declarations.
namespace param {
/// An integer parameter.
ParamSpec integer(std::string name, std::int64_t def, Range range, std::string doc);
/// A real-valued parameter without unit.
ParamSpec real(std::string name, double def, Range range, std::string doc);
/// A true/false parameter.
ParamSpec boolean(std::string name, bool def, std::string doc);
/// A duration written with a unit ("600 s"), stored in seconds.
ParamSpec duration(std::string name, std::string def, Range range_s, std::string doc);
/// A size written with a unit ("535 KB"), stored in bytes.
ParamSpec size(std::string name, std::string def, Range range_bytes, std::string doc);
/// A rate written with a unit ("20 Mbit/s"), stored in bit/s.
ParamSpec rate(std::string name, std::string def, Range range_bps, std::string doc);
/// A probability in [0, 1].
ParamSpec probability(std::string name, double def, std::string doc);
/// One of a fixed set of names.
ParamSpec choice(std::string name, std::string def, std::vector<std::string> choices, std::string doc);
/// A node selection written as an attack's nodes, or none (the default).
ParamSpec selection(std::string name, std::string doc);
/// A duration that may also be written "never" (stored as infinity), the default here when def is "never".
ParamSpec duration_or_never(std::string name, std::string def, Range range_s, std::string doc);
/// spec, declared to have an effect only when parameter `other` has one of `values` (a value written
/// while it has none is a warning, not an error).
ParamSpec only_when(ParamSpec spec, std::string other, std::vector<std::string> values);
}  // namespace param

/// Resolved parameter values of one extension instance; numbers in base units.
class ParamValues {
 public:
  /// Numeric value (integer, real, probability, duration in s, size in bytes, rate in bit/s, boolean 0/1).
  double number(std::string_view name) const;
  /// Integer value.
  std::int64_t integer(std::string_view name) const;
  /// Boolean value.
  bool flag(std::string_view name) const;
  /// Choice value.
  const std::string& choice(std::string_view name) const;
  /// The value as written (or defaulted), for provenance and messages.
  const std::string& text(std::string_view name) const;
  /// Sets a value parsed from text according to spec; throws Error with the reason on bad input.
  void set(const ParamSpec& spec, std::string_view text);
  /// True if the name was set.
  bool has(std::string_view name) const;

 private:
  struct Value {
    double number = 0;
    std::string text;
  };
  const Value& get(std::string_view name) const;
  std::map<std::string, Value, std::less<>> values_;
};

/// Values of all specs at their defaults.
ParamValues default_params(const std::vector<ParamSpec>& specs);
/// The spec with that name, or nullptr.
const ParamSpec* find_param(const std::vector<ParamSpec>& specs, std::string_view name);
/// Comma-separated names of the specs, for "allowed keys" messages.
std::string param_names(const std::vector<ParamSpec>& specs);
/// Why a parameter written in a scenario has no effect with the other values ("" if it has one).
std::string inert_reason(const ParamSpec& spec, const ParamValues& values);

}  // namespace dltsim
