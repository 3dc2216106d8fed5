#pragma once
// The run's summary: named scalar results (stale rate, propagation percentiles, ...), each with its
// unit and a one-line doc like a table column, kept in insertion order so the file and the printed
// summary are stable. A value that has no meaning for the run (a statistic over no events) is NaN
// with a note saying why, never a number that reads as a result.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <variant>
#include <vector>

namespace dltsim {

/// A summary value.
using SummaryValue = std::variant<double, std::int64_t, std::uint64_t, std::string>;

/// The values an entry can take, so that an interval over replications (a study's) stays inside
/// them: any number, a non-negative quantity (a count, or anything with a unit), or a proportion.
enum class Support { real, non_negative, proportion };

/// "real", "non-negative" or "proportion".
const char* support_name(Support support);

/// One named value with its unit ("" for plain numbers), doc, and why it is NaN ("" otherwise).
struct SummaryEntry {
  std::string name;                 ///< snake_case, unit suffix where it has one
  SummaryValue value;               ///< the value
  std::string unit;                 ///< "s", "bytes", "blocks", ... or ""
  std::string doc;                  ///< one line
  std::string note;                 ///< for an undefined (NaN) value: why
  Support support = Support::real;  ///< integers and values with a unit: non-negative; proportions: marked
};

/// Ordered entries.
class Summary {
 public:
  /// Sets (or replaces) a value with its unit and doc.
  void set(const std::string& name, SummaryValue value, std::string unit, std::string doc);
  /// Sets a number; a NaN is stored as undefined with the reason given for that case.
  void set_number(const std::string& name, double value, std::string unit, std::string doc,
                  std::string reason_if_undefined);
  /// Marks entries already set as proportions in [0, 1] (a rate of events, a share).
  void mark_proportions(std::initializer_list<std::string> names);
  /// Sets a value that the run cannot define (NaN), with the reason.
  void set_undefined(const std::string& name, std::string reason, std::string unit, std::string doc);
  /// The value, or nullptr.
  const SummaryValue* find(const std::string& name) const;
  /// The entry, or nullptr.
  const SummaryEntry* entry(const std::string& name) const;
  /// Numeric value (double or integer) or the fallback.
  double number(const std::string& name, double fallback = 0) const;
  /// Appends every entry of `other` as `prefix` + name, its doc as `doc_prefix` + doc (one ledger's
  /// values in the summary of a run of several).
  void add_prefixed(const Summary& other, const std::string& prefix, const std::string& doc_prefix);
  /// All entries in insertion order.
  const std::vector<SummaryEntry>& entries() const { return entries_; }

 private:
  std::vector<SummaryEntry> entries_;
};

}  // namespace dltsim
