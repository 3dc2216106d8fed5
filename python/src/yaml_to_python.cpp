#include "python/src/yaml_to_python.hpp"

#include <charconv>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

namespace py = pybind11;

namespace dltsim::python {

namespace {

// Scalars become bool / int / float / None when they read as such (YAML 1.2 core schema), str
// otherwise; quantities such as "600 s" stay strings; a quoted scalar is always a string.
py::object scalar_value(const std::string& tag, const std::string& s) {
  if (tag == "!") return py::str(s);
  if (s == "true") return py::bool_(true);
  if (s == "false") return py::bool_(false);
  if (s == "null" || s == "~" || s.empty()) return py::none();
  long long i = 0;
  if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      ec == std::errc() && p == s.data() + s.size()) {
    return py::int_(i);
  }
  double x = 0;
  if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
      ec == std::errc() && p == s.data() + s.size()) {
    return py::float_(x);
  }
  return py::str(s);
}

class Builder final : public YAML::EventHandler {
 public:
  py::object result() const { return result_; }
  std::size_t documents() const { return documents_; }

  void OnDocumentStart(const YAML::Mark&) override { ++documents_; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { add(mark, py::none(), anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    for (const Open& o : open_) {
      if (o.anchor == anchor && anchor != YAML::NullAnchor) {
        fail(mark, "an alias refers to a node that contains it (a cycle)");
      }
    }
    const auto it = anchored_.find(anchor);
    if (it == anchored_.end()) fail(mark, "an alias refers to an unknown anchor");
    add(mark, it->second, YAML::NullAnchor);  // the same object again: nothing is copied
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    add(mark, scalar_value(tag, value), anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, py::list(), anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, py::dict(), anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    py::object container;
    YAML::anchor_t anchor;
    bool is_map;
    py::object pending_key;  // a mapping's key waiting for its value
    bool has_key = false;
  };

  [[noreturn]] static void fail(const YAML::Mark& mark, const std::string& what) {
    std::ostringstream s;
    s << "line " << mark.line + 1 << ", column " << mark.column + 1 << ": " << what;
    throw py::value_error(s.str());
  }

  void count(const YAML::Mark& mark) {
    if (++nodes_ > kMaxYamlNodes) {
      fail(mark, "the document has more than " + std::to_string(kMaxYamlNodes) + " nodes");
    }
  }

  void add(const YAML::Mark& mark, py::object value, YAML::anchor_t anchor) {
    count(mark);
    if (anchor != YAML::NullAnchor) anchored_[anchor] = value;
    if (open_.empty()) {
      result_ = std::move(value);
      return;
    }
    Open& top = open_.back();
    if (!top.is_map) {
      top.container.cast<py::list>().append(value);
    } else if (!top.has_key) {
      // Mapping keys are scalars (a scenario's keys are names): anything else cannot key a dict.
      if (!py::isinstance<py::str>(value) && !py::isinstance<py::int_>(value) &&
          !py::isinstance<py::float_>(value) && !py::isinstance<py::bool_>(value) && !value.is_none()) {
        fail(mark, "a mapping key is not a scalar");
      }
      top.pending_key = std::move(value);
      top.has_key = true;
    } else {
      top.container.cast<py::dict>()[top.pending_key] = value;
      top.has_key = false;
    }
  }

  void open(const YAML::Mark& mark, py::object container, YAML::anchor_t anchor) {
    if (!open_.empty() && open_.back().is_map && !open_.back().has_key)
      fail(mark, "a mapping key is not a scalar");
    add(mark, container, anchor);
    open_.push_back(Open{container, anchor, py::isinstance<py::dict>(container), py::none(), false});
  }

  void close() { open_.pop_back(); }

  py::object result_ = py::none();
  std::vector<Open> open_;
  std::map<YAML::anchor_t, py::object> anchored_;
  std::size_t nodes_ = 0;
  std::size_t documents_ = 0;
};

}  // namespace

py::object yaml_to_python(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  Builder builder;
  try {
    parser.HandleNextDocument(builder);
  } catch (const YAML::DeepRecursion& e) {
    throw py::value_error("line " + std::to_string(e.mark.line + 1) + ": the document nests deeper than " +
                          std::to_string(e.depth() - 1) + " levels");
  } catch (const YAML::Exception& e) {
    throw py::value_error("YAML syntax error at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return builder.result();
}

}  // namespace dltsim::python
