#include "sim/metrics/summary.hpp"

#include <cmath>

namespace dltsim {

namespace {
// Counts (integers) and quantities with a unit (s, bytes, bit/s, blocks, ...) are never negative here.
Support support_of(const SummaryValue& value, const std::string& unit) {
  if (std::holds_alternative<std::string>(value)) return Support::real;
  if (const auto* i = std::get_if<std::int64_t>(&value); i != nullptr && *i < 0) return Support::real;
  if (!std::holds_alternative<double>(value) || !unit.empty()) return Support::non_negative;
  return Support::real;
}
}  // namespace

const char* support_name(Support support) {
  switch (support) {
    case Support::non_negative:
      return "non-negative";
    case Support::proportion:
      return "proportion";
    case Support::real:
      break;
  }
  return "real";
}

void Summary::set(const std::string& name, SummaryValue value, std::string unit, std::string doc) {
  const Support support = support_of(value, unit);
  for (auto& e : entries_) {
    if (e.name == name) {
      e = SummaryEntry{name, std::move(value), std::move(unit), std::move(doc), "", support};
      return;
    }
  }
  entries_.push_back(SummaryEntry{name, std::move(value), std::move(unit), std::move(doc), "", support});
}

void Summary::add_prefixed(const Summary& other, const std::string& prefix, const std::string& doc_prefix) {
  for (const SummaryEntry& e : other.entries()) {
    SummaryEntry copy = e;
    copy.name = prefix + e.name;
    copy.doc = doc_prefix + e.doc;
    entries_.push_back(std::move(copy));
  }
}

void Summary::mark_proportions(std::initializer_list<std::string> names) {
  for (const std::string& name : names) {
    for (auto& e : entries_) {
      if (e.name == name) e.support = Support::proportion;
    }
  }
}

void Summary::set_undefined(const std::string& name, std::string reason, std::string unit, std::string doc) {
  set(name, std::nan(""), std::move(unit), std::move(doc));
  for (auto& e : entries_) {
    if (e.name == name) e.note = std::move(reason);
  }
}

void Summary::set_number(const std::string& name, double value, std::string unit, std::string doc,
                         std::string reason_if_undefined) {
  if (std::isnan(value)) {
    set_undefined(name, std::move(reason_if_undefined), std::move(unit), std::move(doc));
  } else {
    set(name, value, std::move(unit), std::move(doc));
  }
}

const SummaryEntry* Summary::entry(const std::string& name) const {
  for (const auto& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const SummaryValue* Summary::find(const std::string& name) const {
  const SummaryEntry* e = entry(name);
  return e == nullptr ? nullptr : &e->value;
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
