#pragma once
// Progress on stderr while a run goes on: simulated time, blocks (decisions), wall time and an
// estimate of the time left. On a terminal a line rewritten in place; `plain` prints one line per
// interval (CI logs, and the Python package, which parses it), and a last one when the run ends, so
// that even a run shorter than the interval reports once. Wall time here is for display only; it
// never feeds the simulation.

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
  /// The run ended: plain mode prints the last progress reported (if it was not printed yet); a
  /// terminal line is cleared.
  void finish();

 private:
  void print(const RunProgress& p, std::chrono::steady_clock::time_point now);
  StopSpec stop_;
  ProgressMode mode_;
  double interval_s_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  std::optional<RunProgress> pending_;  // the last progress reported and not printed (plain mode)
};

}  // namespace dltsim
