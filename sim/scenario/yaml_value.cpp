#include "sim/scenario/yaml_value.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "sim/core/units.hpp"

namespace dltsim {

std::string_view yaml_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "nothing (null)";
    default:
      return "an undefined value";
  }
}

YamlValue::YamlValue(YAML::Node node, std::string path, std::shared_ptr<const YamlSources> sources)
    : node_(std::move(node)), path_(std::move(path)), sources_(std::move(sources)) {}

SourceLocation YamlValue::where() const {
  // A value set by --set (or inside one) is reported against the command line, not the file.
  for (const auto& [p, text] : sources_->overridden) {
    if (path_ == p || (path_.size() > p.size() && path_.compare(0, p.size(), p) == 0 &&
                       (path_[p.size()] == '.' || path_[p.size()] == '['))) {
      return SourceLocation{text, 0, 0};
    }
  }
  const YAML::Mark m = node_.Mark();
  // A value taken from a base scenario (extends) is reported against that file.
  std::string file = sources_->file;
  for (const auto& [p, base] : sources_->inherited) {
    if (path_ == p || (path_.size() > p.size() && path_.compare(0, p.size(), p) == 0 &&
                       (path_[p.size()] == '.' || path_[p.size()] == '['))) {
      file = base;
    }
  }
  if (m.line < 0) {
    // A node without position was created by an override below it.
    for (const auto& [p, text] : sources_->overridden) {
      if (p.size() > path_.size() && p.compare(0, path_.size(), path_) == 0)
        return SourceLocation{text, 0, 0};
    }
    return SourceLocation{file, 0, 0};
  }
  return SourceLocation{file, m.line + 1, m.column + 1};
}

void YamlValue::fail(const std::string& detail) const {
  throw ScenarioError(where(), path_, detail);
}

std::string YamlValue::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

static std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

void YamlValue::expect_keys(const std::vector<std::string>& allowed) const {
  if (!node_.IsMap()) fail(fmt::format("expected a mapping (key: value pairs), got {}", yaml_kind(node_)));
  std::set<std::string> seen;
  for (const auto& kv : node_) {
    const YamlValue key(kv.first, path_, sources_);
    if (!kv.first.IsScalar()) key.fail("keys must be plain names");
    const std::string name = kv.first.Scalar();
    const YamlValue located(kv.first, child_path(name), sources_);
    if (name == "<<") {
      located.fail(
          "YAML merge keys ('<<') are not supported (yaml-cpp 0.7 does not implement them): write the keys "
          "out");
    }
    bool known = false;
    for (const auto& a : allowed) known = known || a == name;
    if (!known)
      located.fail(fmt::format("unknown key {}; allowed keys: {}", quote_value(name), join(allowed)));
    if (!seen.insert(name).second) located.fail(fmt::format("duplicate key {}", quote_value(name)));
  }
}

std::optional<YamlValue> YamlValue::get(std::string_view key) const {
  if (!node_.IsMap()) fail(fmt::format("expected a mapping (key: value pairs), got {}", yaml_kind(node_)));
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) {
      if (kv.second.IsNull()) return std::nullopt;
      return YamlValue(kv.second, child_path(key), sources_);
    }
  }
  return std::nullopt;
}

YamlValue YamlValue::at(std::string_view key) const {
  if (auto v = get(key)) return *v;
  fail(fmt::format("missing required key '{}'", key));
}

std::vector<std::pair<std::string, YamlValue>> YamlValue::entries() const {
  if (!node_.IsMap()) fail(fmt::format("expected a mapping (key: value pairs), got {}", yaml_kind(node_)));
  std::vector<std::pair<std::string, YamlValue>> out;
  std::set<std::string> seen;
  for (const auto& kv : node_) {
    const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const YamlValue located(kv.first, child_path(name), sources_);
    if (name == "<<") {
      located.fail(
          "YAML merge keys ('<<') are not supported (yaml-cpp 0.7 does not implement them): write the keys "
          "out");
    }
    if (!seen.insert(name).second) located.fail(fmt::format("duplicate key {}", quote_value(name)));
    out.emplace_back(name, YamlValue(kv.second, child_path(name), sources_));
  }
  return out;
}

std::vector<YamlValue> YamlValue::items() const {
  if (!node_.IsSequence()) fail(fmt::format("expected a sequence (a list), got {}", yaml_kind(node_)));
  std::vector<YamlValue> out;
  for (size_t i = 0; i < node_.size(); ++i) {
    out.emplace_back(node_[i], fmt::format("{}[{}]", path_, i), sources_);
  }
  return out;
}

void YamlValue::expect_scalar(std::string_view what) const {
  if (!node_.IsScalar()) fail(fmt::format("expected {}, got {}", what, yaml_kind(node_)));
}

std::string YamlValue::scalar() const {
  expect_scalar("a single value");
  return node_.Scalar();
}

double YamlValue::as_real(const Range& range) const {
  expect_scalar("a number");
  const std::string& s = node_.Scalar();
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
    fail(fmt::format("expected a number, got {}", quote_value(s)));
  }
  if (!range.contains(v)) fail(fmt::format("must be in {}, got {}", range.str(), short_text(s)));
  return v;
}

std::int64_t YamlValue::as_int(const Range& range) const {
  expect_scalar("an integer");
  const std::string& s = node_.Scalar();
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    fail(fmt::format("expected an integer, got {}", quote_value(s)));
  if (!range.contains(static_cast<double>(v)))
    fail(fmt::format("must be in {}, got {}", range.str(), short_text(s)));
  return v;
}

std::uint64_t YamlValue::as_uint64() const {
  expect_scalar("a non-negative integer");
  const std::string& s = node_.Scalar();
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) {
    fail(fmt::format("expected a non-negative integer below 2^64, got {}", quote_value(s)));
  }
  return v;
}

bool YamlValue::as_bool() const {
  expect_scalar("true or false");
  const std::string& s = node_.Scalar();
  if (s == "true") return true;
  if (s == "false") return false;
  fail(fmt::format("expected true or false, got {}", quote_value(s)));
}

template <class Parse>
static double located_quantity(const YamlValue& v, Parse parse, const Range& range, std::string_view unit) {
  double x = 0;
  try {
    x = parse(v.scalar());
  } catch (const Error& e) {
    v.fail(e.what());
  }
  if (!range.contains(x))
    v.fail(fmt::format("must be in {} {}, got {}", range.str(), unit, quote_value(v.scalar())));
  return x;
}

double YamlValue::as_duration_s(const Range& range) const {
  expect_scalar("a duration such as \"600 s\"");
  return located_quantity(*this, parse_duration_s, range, "s");
}

double YamlValue::as_size_bytes(const Range& range) const {
  expect_scalar("a size such as \"535 KB\"");
  return located_quantity(*this, parse_size_bytes, range, "bytes");
}

double YamlValue::as_rate_bps(const Range& range) const {
  expect_scalar("a rate such as \"20 Mbit/s\"");
  return located_quantity(*this, parse_rate_bps, range, "bit/s");
}

std::string YamlValue::as_choice(const std::vector<std::string>& allowed) const {
  expect_scalar("a name");
  const std::string& s = node_.Scalar();
  for (const auto& a : allowed) {
    if (a == s) return s;
  }
  fail(fmt::format("{} is not allowed; allowed values: {}", quote_value(s), join(allowed)));
}

ParamValues YamlValue::as_params(const std::vector<ParamSpec>& specs) const {
  ParamValues values = default_params(specs);
  if (!node_.IsMap()) fail(fmt::format("expected a mapping of parameters, got {}", yaml_kind(node_)));
  for (const auto& [name, value] : entries()) {
    const ParamSpec* spec = find_param(specs, name);
    if (spec == nullptr) {
      value.fail(fmt::format("unknown parameter {}; allowed: {}", quote_value(name), param_names(specs)));
    }
    if (spec->type == ParamType::selection) {
      // A mapping here; the loader checks it against the network (read_selection).
      if (value.is_map()) {
        YAML::Emitter flow;
        flow << YAML::Flow << value.node_;
        values.set(*spec, flow.c_str());
        continue;
      }
      if (!value.is_scalar() || value.scalar() != "none")
        value.fail("expected none or a node selection as an attack's nodes, e.g. {top_power: 10}");
    }
    if (!value.is_scalar()) value.fail(fmt::format("expected a single value ({})", spec->allowed()));
    try {
      values.set(*spec, value.scalar());
    } catch (const Error& e) {
      value.fail(e.what());
    }
  }
  return values;
}

namespace {

// Counts documents and remembers where the second one starts; builds nothing.
class DocumentCounter final : public YAML::EventHandler {
 public:
  int documents = 0;
  YAML::Mark second;
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents == 2) second = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
  }
  void OnMapEnd() override {}
};

// The position of a second document, if the text has one. Asks the parser for two documents at
// most: yaml-cpp 0.7's LoadAll loops forever on some inputs (NUL bytes), found by fuzzing.
std::optional<YAML::Mark> second_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  if (!parser.HandleNextDocument(counter)) return std::nullopt;
  if (!parser.HandleNextDocument(counter)) return std::nullopt;
  return counter.second;
}

// YAML text is printable: control characters other than tab and line breaks are not allowed
// (YAML 1.2, c-printable), and yaml-cpp 0.7 misreads some (a NUL ends its stream early).
void reject_control_characters(const std::string& text, const std::string& source) {
  int line = 1;
  int column = 1;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      throw ScenarioError(
          SourceLocation{source, line, column}, "",
          fmt::format("control character 0x{:02x}: YAML text allows only tab, line breaks and "
                      "printable characters",
                      c));
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {  // count characters, not UTF-8 continuation bytes
      ++column;
    }
  }
}

}  // namespace

YAML::Node parse_yaml(const std::string& text, const YamlSources& sources) {
  reject_control_characters(text, sources.file);
  YAML::Node root;
  std::optional<YAML::Mark> second;
  const auto at = [&](const YAML::Mark& m) { return SourceLocation{sources.file, m.line + 1, m.column + 1}; };
  try {
    root = YAML::Load(text);
    second = second_document(text);
  } catch (const YAML::DeepRecursion& e) {
    throw ScenarioError(at(e.mark), "",
                        fmt::format("the document nests deeper than {} levels, the YAML parser's limit (a "
                                    "scenario needs at most 6)",
                                    e.depth() - 1));
  } catch (const YAML::ParserException& e) {
    throw ScenarioError(at(e.mark), "", "YAML syntax error: " + e.msg);
  }
  if (second) {
    // A second document would be ignored: say so instead of running half of what was written.
    throw ScenarioError(second->line >= 0 ? at(*second) : SourceLocation{sources.file, 0, 0}, "",
                        "a second YAML document ('---') follows the scenario: a scenario file holds one "
                        "document");
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  return root;
}

void apply_override(YAML::Node root, const std::string& assignment, YamlSources& sources) {
  const std::string where = "--set " + short_text(assignment);
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ScenarioError(SourceLocation{where, 0, 0}, "", "expected key.path=value, e.g. network.nodes=500");
  }
  const std::string path = assignment.substr(0, eq);
  try {
    reject_control_characters(assignment, where);
  } catch (const ScenarioError& e) {
    throw ScenarioError(SourceLocation{where, 0, 0}, path, e.detail());
  }
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(eq + 1));
  } catch (const YAML::ParserException& e) {
    throw ScenarioError(SourceLocation{where, 0, 0}, path, "value is not valid YAML: " + e.msg);
  }
  // Walk the path ("a.b[2].c"), creating mappings as needed; a [i] step must name an existing
  // sequence item. yaml-cpp nodes are handles, so the final assignment changes the document.
  const auto fail = [&](const std::string& why) {
    throw ScenarioError(SourceLocation{where, 0, 0}, path, why);
  };
  std::vector<YAML::Node> chain{root};
  std::size_t pos = 0;
  while (pos < path.size()) {
    const std::size_t end = path.find_first_of(".[", pos);
    const std::string key = path.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (key.empty()) fail("empty key in path");
    if (chain.back().IsDefined() && !chain.back().IsMap() && !chain.back().IsNull()) {
      fail(fmt::format("cannot set key {} inside {}", quote_value(key), yaml_kind(chain.back())));
    }
    chain.push_back(chain.back()[key]);
    pos = end == std::string::npos ? path.size() : end;
    while (pos < path.size() && path[pos] == '[') {
      const std::size_t close = path.find(']', pos);
      if (close == std::string::npos) fail("unclosed [ in path");
      std::size_t index = 0;
      const auto [ptr, ec] = std::from_chars(path.data() + pos + 1, path.data() + close, index);
      if (ec != std::errc() || ptr != path.data() + close) fail("a [index] must be a non-negative integer");
      const YAML::Node seq = chain.back();
      if (!seq.IsSequence() || index >= seq.size()) {
        fail(fmt::format("no item [{}]: {} is not a sequence of more than {} items", index, quote_value(key),
                         index));
      }
      chain.push_back(seq[index]);
      pos = close + 1;
    }
    if (pos < path.size() && path[pos] == '.') ++pos;
  }
  // Assign through the parent so a missing key is created.
  chain.back() = value;
  sources.overridden[path] = where;
}

}  // namespace dltsim
