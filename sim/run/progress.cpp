#include "sim/run/progress.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "sim/core/units.hpp"

namespace dltsim {

ProgressLine::ProgressLine(const StopSpec& stop, ProgressMode mode, double interval_s)
    : stop_(stop),
      mode_(mode),
      interval_s_(mode == ProgressMode::tty ? 0.2 : interval_s),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void ProgressLine::update(const RunProgress& p) {
  if (mode_ == ProgressMode::none) return;
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_).count() < interval_s_) {
    if (mode_ == ProgressMode::plain) pending_ = p;
    return;
  }
  print(p, now);
}

void ProgressLine::print(const RunProgress& p, std::chrono::steady_clock::time_point now) {
  last_ = now;
  pending_.reset();
  const double wall_s = std::chrono::duration<double>(now - start_).count();
  double fraction = 0;
  if (stop_.blocks)
    fraction = std::max(fraction, static_cast<double>(p.produced) / static_cast<double>(*stop_.blocks));
  if (stop_.time_s) fraction = std::max(fraction, p.now_s / *stop_.time_s);
  fraction = std::min(fraction, 1.0);
  if (mode_ == ProgressMode::plain) {
    // One parseable line: the Python package reads these (keep the keys stable).
    std::fprintf(stderr,
                 "progress: sim_s=%.6g blocks=%llu target_blocks=%lld wall_s=%.3f fraction=%.4f eta_s=%.1f "
                 "events=%llu in_flight=%llu draining=%d\n",
                 p.now_s, static_cast<unsigned long long>(p.produced),
                 stop_.blocks ? static_cast<long long>(*stop_.blocks) : -1LL, wall_s, fraction,
                 fraction > 0.01 && fraction < 1 ? wall_s * (1 - fraction) / fraction : -1.0,
                 static_cast<unsigned long long>(p.events), static_cast<unsigned long long>(p.in_flight),
                 p.draining ? 1 : 0);
    std::fflush(stderr);
    return;
  }
  std::string line = fmt::format("sim {} | blocks {}", format_duration(p.now_s), p.produced);
  if (stop_.blocks) line += fmt::format("/{}", *stop_.blocks);
  line += fmt::format(" | wall {}", format_duration(wall_s));
  if (p.draining) {
    // Production is over: what is left is delivering what is in flight (minutes at 10^6 nodes).
    line += fmt::format(" | delivering, {} in flight, {} events", p.in_flight, p.events);
  } else if (fraction > 0.01 && fraction < 1) {
    line += fmt::format(" | ETA {}", format_duration(wall_s * (1 - fraction) / fraction));
  }
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  printed_ = true;
}

void ProgressLine::finish() {
  if (mode_ == ProgressMode::plain && pending_) print(*pending_, std::chrono::steady_clock::now());
  if (printed_) std::fprintf(stderr, "\r\033[K");
  printed_ = false;
}

}  // namespace dltsim
