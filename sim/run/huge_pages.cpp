#include "sim/run/huge_pages.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace dltsim {

namespace {
constexpr const char* kTunable = "glibc.malloc.hugetlb=1";

bool kernel_offers_huge_pages() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(f, modes);
  return modes.find("[always]") != std::string::npos || modes.find("[madvise]") != std::string::npos;
}
}  // namespace

void reexec_with_huge_pages(char** argv) {
  if (const char* off = std::getenv("DLTSIM_HUGE_PAGES"); off != nullptr && std::string(off) == "0") return;
  const char* current = std::getenv("GLIBC_TUNABLES");
  const std::string tunables = current != nullptr ? current : "";
  if (tunables.find("glibc.malloc.hugetlb") != std::string::npos || !kernel_offers_huge_pages()) return;
  const std::string wanted = tunables.empty() ? kTunable : tunables + ":" + kTunable;
  if (setenv("GLIBC_TUNABLES", wanted.c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // exec failed: carry on as we are, without leaving the variable to children.
  if (current != nullptr) {
    setenv("GLIBC_TUNABLES", current, 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
}

}  // namespace dltsim
