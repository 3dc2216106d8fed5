#pragma once
// Progress on stderr while a run goes on: simulated time, blocks (decisions), wall time and an
// estimate of the time left. On a terminal a line rewritten in place; `plain` prints one line per
// interval (CI logs, and the Python package, which parses it). Wall time here is for display only;
// it never feeds the simulation.

#include <chrono>
#include <cstdint>
#include <optional>

#include "sim/node/runtime.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

/// How progress is shown.
enum class ProgressMode {
  none,   ///< nothing
  tty,    ///< a line rewritten in place, a few times per second
  plain,  ///< "progress: key=value ..." lines, one per interval
};

/// Prints progress lines.
class ProgressLine {
 public:
  /// interval_s: time between plain lines (tty: 0.2 s).
  ProgressLine(const StopSpec& stop, ProgressMode mode, double interval_s = 10.0);
  /// Reports progress; prints if enough wall time passed.
  void update(const RunProgress& p);
  /// Clears the line.
  void finish();

 private:
  StopSpec stop_;
  ProgressMode mode_;
  double interval_s_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace dltsim
