#include "sim/run/progress.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "sim/core/units.hpp"

namespace dltsim {

ProgressLine::ProgressLine(const StopSpec& stop, bool enabled)
    : stop_(stop), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_(start_) {}

void ProgressLine::update(const RunProgress& p) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const double wall_s = std::chrono::duration<double>(now - start_).count();
  double fraction = 0;
  if (stop_.blocks)
    fraction = std::max(fraction, static_cast<double>(p.produced) / static_cast<double>(*stop_.blocks));
  if (stop_.time_s) fraction = std::max(fraction, p.now_s / *stop_.time_s);
  fraction = std::min(fraction, 1.0);
  std::string line = fmt::format("sim {} | blocks {}", format_duration(p.now_s), p.produced);
  if (stop_.blocks) line += fmt::format("/{}", *stop_.blocks);
  line += fmt::format(" | wall {}", format_duration(wall_s));
  if (fraction > 0.01 && fraction < 1)
    line += fmt::format(" | ETA {}", format_duration(wall_s * (1 - fraction) / fraction));
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  printed_ = true;
}

void ProgressLine::finish() {
  if (printed_) std::fprintf(stderr, "\r\033[K");
  printed_ = false;
}

}  // namespace dltsim
