#include "sim/metrics/summary.hpp"

namespace dltsim {

void Summary::set(const std::string& name, SummaryValue value) {
  for (auto& [k, v] : entries_) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  entries_.emplace_back(name, std::move(value));
}

const SummaryValue* Summary::find(const std::string& name) const {
  for (const auto& [k, v] : entries_) {
    if (k == name) return &v;
  }
  return nullptr;
}

double Summary::number(const std::string& name, double fallback) const {
  const SummaryValue* v = find(name);
  if (v == nullptr) return fallback;
  if (const auto* d = std::get_if<double>(v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(v)) return static_cast<double>(*i);
  if (const auto* u = std::get_if<std::uint64_t>(v)) return static_cast<double>(*u);
  return fallback;
}

}  // namespace dltsim
