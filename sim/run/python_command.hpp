#pragma once
// Commands implemented in the dltsim Python package (studies, reports): the executable hands them
// over so that users have one command surface.

#include <string>
#include <vector>

namespace dltsim {

/// Replaces this process with `python3 -m <module> <args...>`, the package found beside this
/// executable (build tree: <dir>/python; installed package: the package holding _bin/dltsim) or on
/// $DLTSIM_PYTHONPATH; the child learns this executable as $DLTSIM_EXECUTABLE. The interpreter is
/// $DLTSIM_PYTHON or /usr/bin/python3. Returns only on failure, with an exit code (message printed).
int exec_python_module(const std::string& module, const std::vector<std::string>& args);

}  // namespace dltsim
