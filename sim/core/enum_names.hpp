#pragma once
// One name table per enum: each value is paired with the name a scenario writes for it, so that
// reading, writing and documentation share one list and no name is tied to its enum by position.

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dltsim {

/// The names of an enum's values, in the order they are documented.
template <class Enum>
class EnumNames {
 public:
  /// Pairs every value with its name.
  EnumNames(std::initializer_list<std::pair<Enum, const char*>> pairs) {
    for (const auto& [value, name] : pairs) {
      values_.push_back(value);
      names_.emplace_back(name);
    }
  }
  /// Every name, in table order (for "allowed values" messages and choice parameters).
  const std::vector<std::string>& names() const { return names_; }
  /// The name of a value; a value missing from the table is a programming error.
  const std::string& name(Enum value) const {
    for (std::size_t i = 0; i < values_.size(); ++i) {
      if (values_[i] == value) return names_[i];
    }
    throw std::logic_error("enum value without a name");
  }
  /// The value with that name; the caller has checked the name against names().
  Enum value(const std::string& name) const {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return values_[i];
    }
    throw std::invalid_argument("unknown name: " + name);
  }

 private:
  std::vector<Enum> values_;
  std::vector<std::string> names_;
};

}  // namespace dltsim
