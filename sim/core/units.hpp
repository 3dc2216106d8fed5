#pragma once
// Physical quantities written as strings with units ("600 s", "535 KB", "20 Mbit/s").
// Internally dltsim uses seconds, bytes and bits per second everywhere.

#include <string>
#include <string_view>

#include "sim/core/error.hpp"

namespace dltsim {

/// A quantity string that does not parse; the message lists the accepted units.
class UnitError : public Error {
 public:
  using Error::Error;
};

/// Parses a duration such as "600 s", "1.5 min", "250 ms"; returns seconds.
double parse_duration_s(std::string_view text);
/// Parses a size such as "535 KB" (1 KB = 1000 B) or "1 MiB"; returns bytes.
double parse_size_bytes(std::string_view text);
/// Parses a rate such as "20 Mbit/s", "2.5 MB/s" or "unlimited" (infinity); returns bits per second.
double parse_rate_bps(std::string_view text);

/// Accepted duration units, for error messages and documentation.
std::string_view duration_units();
/// Accepted size units.
std::string_view size_units();
/// Accepted rate units.
std::string_view rate_units();

/// Human-readable duration: "850 ms", "12.4 s", "3.2 h".
std::string format_duration(double seconds);
/// Human-readable size: "61 B", "18 KB", "1.2 GB" (decimal units).
std::string format_size(double bytes);
/// Human-readable rate: "20 Mbit/s".
std::string format_rate(double bits_per_second);

}  // namespace dltsim
