#include "sim/core/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace dltsim {
namespace {

struct Unit {
  std::string_view symbol;
  double factor;  // to the base unit
};

constexpr std::array<Unit, 7> kDurationUnits{
    {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}, {"min", 60.0}, {"h", 3600.0}, {"d", 86400.0}}};
constexpr std::array<Unit, 7> kSizeUnits{{{"B", 1.0},
                                          {"KB", 1e3},
                                          {"MB", 1e6},
                                          {"GB", 1e9},
                                          {"KiB", 1024.0},
                                          {"MiB", 1048576.0},
                                          {"GiB", 1073741824.0}}};
constexpr std::array<Unit, 12> kRateUnits{{{"bit/s", 1.0},
                                           {"kbit/s", 1e3},
                                           {"Mbit/s", 1e6},
                                           {"Gbit/s", 1e9},
                                           {"bps", 1.0},
                                           {"kbps", 1e3},
                                           {"Mbps", 1e6},
                                           {"Gbps", 1e9},
                                           {"B/s", 8.0},
                                           {"KB/s", 8e3},
                                           {"MB/s", 8e6},
                                           {"GB/s", 8e9}}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

template <size_t N>
std::string list_units(const std::array<Unit, N>& units) {
  std::string out;
  for (const auto& u : units) out += (out.empty() ? "" : ", ") + std::string(u.symbol);
  return out;
}

template <size_t N>
double parse_quantity(std::string_view text, const std::array<Unit, N>& units, std::string_view what,
                      std::string_view base_unit, std::string_view example, std::string_view accepted) {
  const std::string_view s = trim(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) {
    throw UnitError(
        fmt::format("{}: the number is beyond what a double holds (about 1.8e308, or below 2.2e-308)",
                    quote_value(text)));
  }
  if (ec != std::errc() || end == s.data()) {
    throw UnitError(fmt::format("{} is not a {}: expected a number and a unit, e.g. '{}' (units: {})",
                                quote_value(text), what, example, accepted));
  }
  if (!std::isfinite(value)) throw UnitError(fmt::format("{} is not a finite {}", quote_value(text), what));
  const std::string_view unit = trim(s.substr(static_cast<size_t>(end - s.data())));
  if (unit.empty()) {
    throw UnitError(fmt::format("{} has no unit: write the {} with a unit, e.g. '{}' (units: {})",
                                quote_value(text), what, example, accepted));
  }
  for (const auto& u : units) {
    if (u.symbol != unit) continue;
    // Finite as written is not enough: "1e308 d" overflows once converted to seconds.
    const double base = value * u.factor;
    if (!std::isfinite(base)) {
      throw UnitError(
          fmt::format("{} is too large: it overflows once converted to {}", quote_value(text), base_unit));
    }
    return base;
  }
  throw UnitError(fmt::format("{}: unknown {} unit {} (units: {})", quote_value(text), what,
                              quote_value(unit), accepted));
}

std::string trimmed_number(double v) {
  std::string s = fmt::format("{:.3g}", v);
  return s;
}

}  // namespace

std::string_view duration_units() {
  static const std::string s = list_units(kDurationUnits);
  return s;
}
std::string_view size_units() {
  static const std::string s = list_units(kSizeUnits);
  return s;
}
std::string_view rate_units() {
  static const std::string s = list_units(kRateUnits) + ", unlimited";
  return s;
}

double parse_duration_s(std::string_view text) {
  return parse_quantity(text, kDurationUnits, "duration", "s", "600 s", duration_units());
}

double parse_size_bytes(std::string_view text) {
  return parse_quantity(text, kSizeUnits, "size", "bytes", "535 KB", size_units());
}

double parse_rate_bps(std::string_view text) {
  if (trim(text) == "unlimited") return std::numeric_limits<double>::infinity();
  return parse_quantity(text, kRateUnits, "rate", "bit/s", "20 Mbit/s", rate_units());
}

std::string format_duration(double seconds) {
  const double a = std::fabs(seconds);
  if (a == 0) return "0 s";
  if (a < 1e-3) return trimmed_number(seconds * 1e6) + " us";
  if (a < 1.0) return trimmed_number(seconds * 1e3) + " ms";
  if (a < 120.0) return trimmed_number(seconds) + " s";
  if (a < 7200.0) return trimmed_number(seconds / 60.0) + " min";
  if (a < 172800.0) return trimmed_number(seconds / 3600.0) + " h";
  return trimmed_number(seconds / 86400.0) + " d";
}

std::string format_size(double bytes) {
  const double a = std::fabs(bytes);
  if (a < 1e3) return trimmed_number(bytes) + " B";
  if (a < 1e6) return trimmed_number(bytes / 1e3) + " KB";
  if (a < 1e9) return trimmed_number(bytes / 1e6) + " MB";
  return trimmed_number(bytes / 1e9) + " GB";
}

std::string format_rate(double bps) {
  if (std::isinf(bps)) return "unlimited";
  const double a = std::fabs(bps);
  if (a < 1e3) return trimmed_number(bps) + " bit/s";
  if (a < 1e6) return trimmed_number(bps / 1e3) + " kbit/s";
  if (a < 1e9) return trimmed_number(bps / 1e6) + " Mbit/s";
  return trimmed_number(bps / 1e9) + " Gbit/s";
}

}  // namespace dltsim
