#pragma once
// Ctrl-C (SIGINT) and SIGTERM during a command-line run. Until keep_results_on_interrupt() is
// called, a signal ends the process at once with exit code 128 + signal: nothing has been written
// yet, so there is nothing to keep. Afterwards it only sets interrupt_flag(), which the runtime
// polls at every event, so the run stops within about a second of wall time at any scale and keeps
// what it recorded in <name>.incomplete.h5. A second signal ends the process at once.

#include <atomic>

namespace dltsim {

/// Installs the handlers (again after SimGrid's engine has installed its own SIGINT handler).
void install_interrupt_handlers();
/// From now on a signal stops the run gracefully instead of ending the process.
void keep_results_on_interrupt();
/// Set by the first SIGINT or SIGTERM once results are kept.
std::atomic<bool>& interrupt_flag();

}  // namespace dltsim
