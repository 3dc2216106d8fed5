#pragma once
// Where a result file may go, decided before a run starts (and by `dltsim validate`). The policy,
// documented in README.md:
// - the path names a file: not empty, no NUL byte, not ending in '/', not a directory, device,
//   FIFO, socket or symbolic link, and not the scenario file itself;
// - its directory exists and is writable;
// - an existing regular file is replaced when the run completes (atomically: the new file is
//   renamed over it), unless it is read-only (no write permission bit set, even for root): a
//   read-only file is never replaced;
// - the same holds for the "<name>.incomplete.h5" that an interrupted run would write.

#include <string>

namespace dltsim {

/// Why `path` cannot receive a result file, or "" if it can. scenario_file is the scenario's own
/// path ("" when it does not come from a file).
std::string output_path_problem(const std::string& path, const std::string& scenario_file);

}  // namespace dltsim
