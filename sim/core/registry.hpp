#pragma once
// One registry per extension point (protocols, attacks, network presets): scenario names map to
// entries, so no code anywhere compares names in if-chains.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace dltsim {

/// Name -> Entry. Entry must have `std::string name` and `std::string summary` members.
template <class Entry>
class Registry {
 public:
  /// kind names the extension point in messages ("protocol", "attack", "network preset").
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  /// Adds an entry; a duplicate name is a programming error.
  void add(Entry entry) {
    if (find(entry.name) != nullptr) throw std::logic_error(kind_ + " registered twice: " + entry.name);
    entries_.push_back(std::move(entry));
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.name < b.name; });
  }

  /// The entry with that name, or nullptr.
  const Entry* find(std::string_view name) const {
    for (const auto& e : entries_) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }

  /// The entry with that name; throws Error listing the registered names otherwise.
  const Entry& get(std::string_view name) const {
    if (const Entry* e = find(name)) return *e;
    throw Error(fmt::format("unknown {} {}; registered: {}", kind_, quote_value(name), names()));
  }

  /// Entries sorted by name.
  const std::vector<Entry>& entries() const { return entries_; }

  /// Comma-separated registered names.
  std::string names() const {
    std::string s;
    for (const auto& e : entries_) s += (s.empty() ? "" : ", ") + e.name;
    return s.empty() ? "(none)" : s;
  }

  /// What this registry holds ("protocol").
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
  std::vector<Entry> entries_;
};

}  // namespace dltsim
