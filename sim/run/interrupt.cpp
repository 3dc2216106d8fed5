#include "sim/run/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstring>

namespace dltsim {

namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<bool> g_keep_results{false};

void write_stderr(const char* text) {
  // write(2) is async-signal-safe; stdio is not.
  const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

extern "C" void on_signal(int sig) {
  if (!g_keep_results.load() || g_interrupted.load()) {
    write_stderr(g_keep_results.load() ? "\ndltsim: second interrupt: stopping at once\n"
                                       : "\ndltsim: interrupted before the simulation started; nothing was "
                                         "written\n");
    ::_exit(128 + sig);
  }
  g_interrupted.store(true);
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void keep_results_on_interrupt() {
  g_keep_results.store(true);
}

std::atomic<bool>& interrupt_flag() {
  return g_interrupted;
}

}  // namespace dltsim
