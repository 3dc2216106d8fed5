#pragma once
// Strict, located access to a YAML document: every value knows its key path and where it was
// written, so each error names file:line:column, the key path and what is allowed (as Shadow's
// config does). Unknown keys, duplicate keys and YAML merge keys are rejected.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include "sim/core/error.hpp"
#include "sim/core/params.hpp"

namespace dltsim {

/// Where the parts of a scenario document came from: the file, and key paths set on the command line.
struct YamlSources {
  std::string file;                               ///< file name used in messages
  std::map<std::string, std::string> overridden;  ///< key path -> "--set path=value"
  std::map<std::string, std::string> inherited;   ///< key path -> the base file it came from (extends)
};

/// A located YAML node.
class YamlValue {
 public:
  /// Wraps node found at key path `path` of a document whose sources are `sources`.
  YamlValue(YAML::Node node, std::string path, std::shared_ptr<const YamlSources> sources);

  /// Dotted key path ("network.regions[2].share"); "" for the document root.
  const std::string& path() const { return path_; }
  /// Where this value was written.
  SourceLocation where() const;
  /// Throws a ScenarioError located at this value.
  [[noreturn]] void fail(const std::string& detail) const;

  /// True for a mapping.
  bool is_map() const { return node_.IsMap(); }
  /// True for a sequence.
  bool is_sequence() const { return node_.IsSequence(); }
  /// True for a scalar.
  bool is_scalar() const { return node_.IsScalar(); }

  /// Requires a mapping whose keys are all in `allowed`; rejects duplicates and merge keys.
  void expect_keys(const std::vector<std::string>& allowed) const;
  /// Child value, or nothing if the key is absent (or null).
  std::optional<YamlValue> get(std::string_view key) const;
  /// Child value; a missing key is an error naming the key.
  YamlValue at(std::string_view key) const;
  /// Key/value pairs of a mapping in document order (after expect_keys or for free-form maps).
  std::vector<std::pair<std::string, YamlValue>> entries() const;
  /// Items of a sequence.
  std::vector<YamlValue> items() const;

  /// The scalar text.
  std::string scalar() const;
  /// A number in range.
  double as_real(const Range& range) const;
  /// An integer in range.
  std::int64_t as_int(const Range& range) const;
  /// An unsigned 64-bit integer (seeds).
  std::uint64_t as_uint64() const;
  /// true or false (YAML 1.2 core schema; "yes"/"on" are rejected as ambiguous).
  bool as_bool() const;
  /// A duration with a unit, in seconds, in range.
  double as_duration_s(const Range& range) const;
  /// A size with a unit, in bytes, in range.
  double as_size_bytes(const Range& range) const;
  /// A rate with a unit, in bit/s, in range.
  double as_rate_bps(const Range& range) const;
  /// One of the allowed names.
  std::string as_choice(const std::vector<std::string>& allowed) const;
  /// Parameter values for `specs` from this mapping; defaults fill the rest.
  ParamValues as_params(const std::vector<ParamSpec>& specs) const;

 private:
  void expect_scalar(std::string_view what) const;
  std::string child_path(std::string_view key) const;
  YAML::Node node_;
  std::string path_;
  std::shared_ptr<const YamlSources> sources_;
};

/// Parses YAML text; syntax errors become ScenarioErrors with the parser's line and column.
YAML::Node parse_yaml(const std::string& text, const YamlSources& sources);

/// Applies "key.path=value" overrides to a parsed document (value parsed as YAML); records them in sources.
void apply_override(YAML::Node root, const std::string& assignment, YamlSources& sources);

/// Describes the YAML node kind for messages ("a mapping", "a sequence", "a scalar").
std::string_view yaml_kind(const YAML::Node& node);

}  // namespace dltsim
