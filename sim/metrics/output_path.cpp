#include "sim/metrics/output_path.hpp"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/metrics/result_file.hpp"

namespace dltsim {

namespace {

// The temporary file is "<name>.<16 hex digits>.partial".
constexpr std::size_t kTempSuffixBytes = 1 + 16 + 8;

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string directory_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool same_file(const struct stat& a, const std::string& other) {
  struct stat b {};
  return !other.empty() && ::stat(other.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// What is wrong with an existing entry at `path` that a run would replace, or "".
std::string existing_problem(const std::string& path, const std::string& role,
                             const std::string& scenario_file) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return "";
    return fmt::format("{} {} cannot be examined: {}", role, quote_value(path), std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    return fmt::format("{} {} is {}: dltsim writes only regular files, and replaces nothing else", role,
                       quote_value(path), kind_of(info.st_mode));
  }
  if (same_file(info, scenario_file)) {
    return fmt::format("{} {} is the scenario file itself", role, quote_value(path));
  }
  // Root passes access(W_OK) on any file: the permission bits decide, so a file made read-only
  // (chmod a-w) is protected from every user.
  if ((info.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0 || ::access(path.c_str(), W_OK) != 0) {
    return fmt::format(
        "{} {} exists and is read-only: dltsim does not replace it; remove it or choose "
        "another path",
        role, quote_value(path));
  }
  return "";
}

}  // namespace

std::string output_path_problem(const std::string& path, const std::string& scenario_file) {
  if (path.empty()) return "the output path is empty";
  if (path.find('\0') != std::string::npos) {
    return fmt::format("the output path {} contains a NUL byte", quote_value(path));
  }
  if (path.back() == '/') {
    return fmt::format("the output path {} ends with '/': name a file, not a directory", quote_value(path));
  }
  const std::string base = base_name(path);
  if (base == "." || base == "..")
    return fmt::format("the output path {} names a directory", quote_value(path));
  if (base.size() + kTempSuffixBytes > NAME_MAX) {
    return fmt::format(
        "the output file name is {} bytes long; at most {} are possible (its temporary name "
        "adds {})",
        base.size(), NAME_MAX - kTempSuffixBytes, kTempSuffixBytes);
  }
  const std::string dir = directory_name(path);
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0) {
    return fmt::format("the output directory {} does not exist ({})", quote_value(dir), std::strerror(errno));
  }
  if (!S_ISDIR(info.st_mode)) return fmt::format("{} is not a directory", quote_value(dir));
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return fmt::format("the output directory {} is not writable: {}", quote_value(dir), std::strerror(errno));
  }
  if (std::string p = existing_problem(path, "the output file", scenario_file); !p.empty()) return p;
  return existing_problem(incomplete_path(path), "the file an interrupted run would write,", scenario_file);
}

}  // namespace dltsim
