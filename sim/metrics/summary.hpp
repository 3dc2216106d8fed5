#pragma once
// The run's summary: named scalar results (stale rate, propagation percentiles, ...) with units in
// their names, kept in insertion order so the file and the printed summary are stable.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dltsim {

/// A summary value.
using SummaryValue = std::variant<double, std::int64_t, std::uint64_t, std::string>;

/// Ordered name -> value pairs.
class Summary {
 public:
  /// Sets (or replaces) a value.
  void set(const std::string& name, SummaryValue value);
  /// The value, or nullptr.
  const SummaryValue* find(const std::string& name) const;
  /// Numeric value (double or integer) or the fallback.
  double number(const std::string& name, double fallback = 0) const;
  /// All entries in insertion order.
  const std::vector<std::pair<std::string, SummaryValue>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, SummaryValue>> entries_;
};

}  // namespace dltsim
