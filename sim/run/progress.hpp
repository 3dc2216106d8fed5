#pragma once
// The progress line on stderr while a run goes on (only on a terminal): simulated time, blocks,
// wall time and an estimate of the time left. Wall time here is for display only; it never feeds
// the simulation.

#include <chrono>
#include <cstdint>
#include <optional>

#include "sim/node/runtime.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

/// Prints a self-overwriting progress line at most a few times per second.
class ProgressLine {
 public:
  /// enabled: print at all (a TTY and no --no-progress).
  ProgressLine(const StopSpec& stop, bool enabled);
  /// Reports progress; prints if enough wall time passed.
  void update(const RunProgress& p);
  /// Clears the line.
  void finish();

 private:
  StopSpec stop_;
  bool enabled_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace dltsim
