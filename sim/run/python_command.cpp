#include "sim/run/python_command.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace dltsim {

namespace {

std::filesystem::path self_path() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : p;
}

// The folder that holds the `dltsim` package directory, or "" if none is found.
std::string package_parent(const std::filesystem::path& exe) {
  const auto dir = exe.parent_path();
  for (const auto& candidate : {dir / "python", dir.parent_path().parent_path()}) {
    if (std::filesystem::exists(candidate / "dltsim" / "__init__.py")) return candidate.string();
  }
  return "";
}

}  // namespace

int exec_python_module(const std::string& module, const std::vector<std::string>& args) {
  const auto exe = self_path();
  std::string pythonpath;
  if (const char* env = std::getenv("DLTSIM_PYTHONPATH")) pythonpath = env;
  const std::string found = package_parent(exe);
  if (!found.empty()) pythonpath = pythonpath.empty() ? found : pythonpath + ":" + found;
  if (pythonpath.empty()) {
    std::fprintf(stderr,
                 "dltsim: error: the dltsim Python package was not found beside %s (build/python); set "
                 "DLTSIM_PYTHONPATH to the folder that holds it\n",
                 exe.c_str());
    return 2;
  }
  if (const char* old = std::getenv("PYTHONPATH"); old != nullptr && *old != '\0')
    pythonpath += std::string(":") + old;
  setenv("PYTHONPATH", pythonpath.c_str(), 1);
  if (std::getenv("DLTSIM_EXECUTABLE") == nullptr && !exe.empty())
    setenv("DLTSIM_EXECUTABLE", exe.c_str(), 1);
  const char* python = std::getenv("DLTSIM_PYTHON");
  if (python == nullptr) python = "/usr/bin/python3";
  std::vector<std::string> argv_s{python, "-m", module};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(python, argv.data());
  std::fprintf(stderr, "dltsim: error: cannot run %s: %s\n", python, std::strerror(errno));
  return 1;
}

}  // namespace dltsim
