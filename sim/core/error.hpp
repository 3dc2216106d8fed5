#pragma once
// Errors dltsim reports to its user. Everything the user can get wrong derives from Error.

#include <stdexcept>
#include <string>
#include <string_view>

namespace dltsim {

/// Base of all errors caused by input (scenario, command line) rather than by a bug.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Where a scenario value was written: a file with 1-based line and column, or a command-line override.
struct SourceLocation {
  std::string source;  ///< file name, or "--set key=value" for an override
  int line = 0;        ///< 1-based; 0 when unknown
  int column = 0;      ///< 1-based; 0 when unknown
  /// "file:line:column", or just the source when the position is unknown.
  std::string str() const;
};

/// A scenario that cannot be run as written: names the place, the key path and what is allowed.
class ScenarioError : public Error {
 public:
  ScenarioError(SourceLocation where, std::string key_path, std::string detail);
  /// Where the offending value (or key) is.
  const SourceLocation& where() const { return where_; }
  /// Dotted path of the offending key, e.g. "network.topology.max_inbound".
  const std::string& key_path() const { return key_path_; }
  /// The message without location, e.g. "must be in [1, 100000], got 0".
  const std::string& detail() const { return detail_; }

 private:
  SourceLocation where_;
  std::string key_path_;
  std::string detail_;
};

/// A value the user wrote, for an error message: in quotes, control characters escaped, and cut
/// (at a UTF-8 character boundary) to its first `max_chars` bytes with its length when longer, so
/// that a megabyte of input never becomes a megabyte of message.
std::string quote_value(std::string_view value, std::size_t max_chars = 60);

/// Like quote_value without the quotes and the length note: a short, printable prefix.
std::string short_text(std::string_view value, std::size_t max_chars = 60);

}  // namespace dltsim
