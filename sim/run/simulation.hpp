#pragma once
// One run: scenario -> network -> SimGrid platform -> nodes with protocols and attacks -> run ->
// results file. SimGrid allows one engine per process, so run_simulation may be called once per
// process (tests and the Python API run each simulation in its own process).

#include <atomic>
#include <functional>
#include <string>

#include "sim/metrics/summary.hpp"
#include "sim/node/runtime.hpp"
#include "sim/scenario/catalog.hpp"
#include "sim/scenario/multi_ledger.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

/// How to run.
struct RunOptions {
  bool write_output = true;                          ///< write the HDF5 file
  std::function<void(const RunProgress&)> progress;  ///< called between time slices
  std::atomic<bool>* interrupt = nullptr;            ///< set to stop early
  bool handle_signals = false;  ///< manage SIGINT and SIGTERM as sim/run/interrupt.hpp describes
};

/// What a run produced.
struct RunResult {
  RunStats stats;           ///< counters and end reason
  Summary summary;          ///< summary values (also in the file)
  std::string output_path;  ///< the file written ("" if none): final name, or the incomplete name
  bool complete = false;    ///< false if interrupted
};

/// Runs a validated scenario.
RunResult run_simulation(const Scenario& scenario, const Catalog& catalog, const RunOptions& options);

/// Runs several ledgers and the bridges between them on one engine and clock: each ledger's tables
/// and summary under ledgers/NAME, the bridges' tables and the run's summary (bridge keys, then
/// every ledger's keys prefixed NAME_) at the root. Same process rule as run_simulation.
RunResult run_multi_ledger(const MultiLedgerScenario& scenario, const Catalog& catalog, const RunOptions& options);

}  // namespace dltsim
