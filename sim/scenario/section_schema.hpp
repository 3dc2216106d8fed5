#pragma once
// One declaration per scenario section: every key's name, type, unit, default, allowed values and
// doc (a ParamSpec), bound to the member of the section's struct that holds it. The same list reads
// and checks the YAML, writes the resolved scenario, and feeds `dltsim describe` and the docs table,
// so the schema is written once (as ParamSpec does for protocol and attack parameters).

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "sim/core/enum_names.hpp"
#include "sim/core/params.hpp"
#include "sim/core/units.hpp"
#include "sim/scenario/yaml_value.hpp"

namespace dltsim {

/// A section's declaration without its struct: what `describe` and the docs table show.
struct SectionDoc {
  std::string path;                   ///< key path of the section ("network.peers"; "[]" marks list items)
  std::string doc;                    ///< what the section sets
  std::vector<ParamSpec> keys;        ///< its keys, in the order they are written
  std::vector<std::string> required;  ///< keys that must be given
};

/// Text of numbers that round-trips exactly (shortest representation).
inline std::string exact_text(double v) {
  return fmt::format("{}", v);
}
/// A duration as the resolved scenario writes it ("600 s").
inline std::string seconds_text(double s) {
  return exact_text(s) + " s";
}
/// A size as the resolved scenario writes it ("1000 B").
inline std::string bytes_text(double b) {
  return exact_text(b) + " B";
}
/// A rate as the resolved scenario writes it ("2e+07 bit/s" or "unlimited").
inline std::string rate_text(double bps) {
  return std::isinf(bps) ? std::string("unlimited") : exact_text(bps) + " bit/s";
}

/// One key of a section of struct T.
template <class T>
struct Field {
  ParamSpec spec;         ///< name, type, unit, range, doc; only_with names a key of the same section
  bool required = false;  ///< the key must be written
  /// Reads the written value into the struct (checking it against spec).
  std::function<void(const YamlValue&, T&)> read;
  /// Writes the value of the struct into the resolved scenario.
  std::function<void(YAML::Emitter&, const T&)> emit;
  /// The value as text (for defaults in docs and for only_with conditions).
  std::function<std::string(const T&)> text;
  /// False when the resolved scenario leaves the key out (an unset optional value).
  std::function<bool(const T&)> present = [](const T&) { return true; };
  /// A section of its own (documented under its path), read and written by the caller.
  bool subsection = false;
};

/// The declaration of one section: its keys in the order the resolved scenario writes them.
template <class T>
struct Section {
  std::string path;              ///< key path, for docs ("network.peers")
  std::string doc;               ///< what the section sets
  std::vector<Field<T>> fields;  ///< its keys, subsections among them
  bool flow = false;             ///< the resolved scenario writes it on one line

  /// True when the field has an effect with the values in t (its only_with condition holds).
  bool active(const Field<T>& f, const T& t) const {
    if (f.spec.only_with.empty()) return true;
    const Field<T>* other = find(f.spec.only_with);
    const std::string value = other->text(t);
    for (const std::string& v : f.spec.only_with_values) {
      if (v == value) return true;
    }
    return false;
  }

  /// Reads the mapping v into t: the keys that other keys depend on first, then only the keys
  /// active with their values are allowed. Subsections are allowed; the caller reads them.
  void read(const YamlValue& v, T& t) const {
    std::set<std::string> conditions;
    for (const Field<T>& f : fields) {
      if (!f.spec.only_with.empty()) conditions.insert(f.spec.only_with);
    }
    if (!conditions.empty()) {
      if (!v.is_map()) v.expect_keys({});
      for (const Field<T>& f : fields) {
        if (conditions.count(f.spec.name) != 0) read_field(v, f, t);
      }
    }
    std::vector<std::string> allowed;
    for (const Field<T>& f : fields) {
      if (active(f, t)) {
        allowed.push_back(f.spec.name);
      } else if (const auto x = v.get(f.spec.name)) {
        // A key of this section that the other values make meaningless: say which value it needs.
        std::string values;
        for (const std::string& w : f.spec.only_with_values) values += (values.empty() ? "" : " or ") + w;
        x->fail(fmt::format("applies only with {}: {} (here {}: {})", f.spec.only_with, values,
                            f.spec.only_with, find(f.spec.only_with)->text(t)));
      }
    }
    v.expect_keys(allowed);
    for (const Field<T>& f : fields) {
      if (conditions.count(f.spec.name) == 0 && !f.subsection && active(f, t)) read_field(v, f, t);
    }
  }

  /// Writes a subsection's key and value (the caller's, as it reads them).
  using SubsectionWriter = std::function<void(YAML::Emitter&, const std::string&)>;

  /// Writes t as a mapping of every active, present key.
  void write(YAML::Emitter& out, const T& t, const SubsectionWriter& write_sub = nullptr) const {
    if (flow) out << YAML::Flow;
    out << YAML::BeginMap;
    write_keys(out, t, write_sub);
    out << YAML::EndMap;
  }

  /// Writes the keys of t into a mapping the caller has begun; subsections through write_sub.
  void write_keys(YAML::Emitter& out, const T& t, const SubsectionWriter& write_sub = nullptr) const {
    for (const Field<T>& f : fields) {
      if (f.subsection) {
        if (write_sub) write_sub(out, f.spec.name);
        continue;
      }
      if (!active(f, t) || !f.present(t)) continue;
      out << YAML::Key << f.spec.name << YAML::Value;
      f.emit(out, t);
    }
  }

  /// The declaration for docs, with defaults taken from a default-constructed T.
  SectionDoc describe() const {
    SectionDoc d{path, doc, {}, {}};
    const T defaults{};
    for (const Field<T>& f : fields) {
      ParamSpec s = f.spec;
      s.default_value = f.required                                         ? "(required)"
                        : f.subsection                                     ? ""
                        : f.present(defaults) && !f.text(defaults).empty() ? f.text(defaults)
                                                                           : "(none)";
      d.keys.push_back(std::move(s));
      if (f.required) d.required.push_back(f.spec.name);
    }
    return d;
  }

  /// The field with that name, or nullptr.
  const Field<T>* find(const std::string& name) const {
    for (const Field<T>& f : fields) {
      if (f.spec.name == name) return &f;
    }
    return nullptr;
  }

 private:
  static void read_field(const YamlValue& v, const Field<T>& f, T& t) {
    if (f.required) {
      f.read(v.at(f.spec.name), t);
    } else if (const auto x = v.get(f.spec.name)) {
      f.read(*x, t);
    }
  }
};

/// Builders binding a key to a member: the spec's type gives the unit, its range the allowed values.
namespace field {

namespace detail {
template <class T>
Field<T> make(ParamType type, std::string name, Range range, std::string doc) {
  Field<T> f;
  f.spec.name = std::move(name);
  f.spec.type = type;
  f.spec.range = range;
  f.spec.doc = std::move(doc);
  return f;
}
}  // namespace detail

/// An unsigned integer (a count).
template <class T, class U>
Field<T> count(std::string name, U T::*member, Range range, std::string doc) {
  Field<T> f = detail::make<T>(ParamType::integer, std::move(name), range, std::move(doc));
  f.read = [member, range](const YamlValue& v, T& t) { t.*member = static_cast<U>(v.as_int(range)); };
  f.emit = [member](YAML::Emitter& out, const T& t) { out << t.*member; };
  f.text = [member](const T& t) { return fmt::format("{}", t.*member); };
  return f;
}

/// An optional unsigned integer: absent unless written.
template <class T, class U>
Field<T> optional_count(std::string name, std::optional<U> T::*member, Range range, std::string doc) {
  Field<T> f = detail::make<T>(ParamType::integer, std::move(name), range, std::move(doc));
  f.read = [member, range](const YamlValue& v, T& t) { t.*member = static_cast<U>(v.as_int(range)); };
  f.emit = [member](YAML::Emitter& out, const T& t) { out << *(t.*member); };
  f.text = [member](const T& t) { return fmt::format("{}", *(t.*member)); };
  f.present = [member](const T& t) { return (t.*member).has_value(); };
  return f;
}

/// A plain number.
template <class T>
Field<T> real(std::string name, double T::*member, Range range, std::string doc) {
  Field<T> f = detail::make<T>(ParamType::real, std::move(name), range, std::move(doc));
  f.read = [member, range](const YamlValue& v, T& t) { t.*member = v.as_real(range); };
  f.emit = [member](YAML::Emitter& out, const T& t) { out << exact_text(t.*member); };
  f.text = [member](const T& t) { return exact_text(t.*member); };
  return f;
}

/// A share of a whole, in [0, 1] or the narrower range given.
template <class T>
Field<T> share(std::string name, double T::*member, Range range, std::string doc) {
  Field<T> f = real<T>(std::move(name), member, range, std::move(doc));
  f.spec.type = ParamType::probability;
  return f;
}

/// true or false.
template <class T>
Field<T> flag(std::string name, bool T::*member, std::string doc) {
  Field<T> f = detail::make<T>(ParamType::boolean, std::move(name), between(0, 1), std::move(doc));
  f.read = [member](const YamlValue& v, T& t) { t.*member = v.as_bool(); };
  f.emit = [member](YAML::Emitter& out, const T& t) { out << t.*member; };
  f.text = [member](const T& t) { return std::string(t.*member ? "true" : "false"); };
  return f;
}

/// A duration written with a unit, held in seconds.
template <class T>
Field<T> duration(std::string name, double T::*member, Range range_s, std::string doc) {
  Field<T> f = detail::make<T>(ParamType::duration, std::move(name), range_s, std::move(doc));
  f.read = [member, range_s](const YamlValue& v, T& t) { t.*member = v.as_duration_s(range_s); };
  f.emit = [member](YAML::Emitter& out, const T& t) { out << seconds_text(t.*member); };
  f.text = [member](const T& t) { return seconds_text(t.*member); };
  return f;
}

/// An optional duration: absent unless written.
template <class T>
Field<T> optional_duration(std::string name, std::optional<double> T::*member, Range range_s,
                           std::string doc) {
  Field<T> f = detail::make<T>(ParamType::duration, std::move(name), range_s, std::move(doc));
  f.read = [member, range_s](const YamlValue& v, T& t) { t.*member = v.as_duration_s(range_s); };
  f.emit = [member](YAML::Emitter& out, const T& t) { out << seconds_text(*(t.*member)); };
  f.text = [member](const T& t) { return seconds_text(*(t.*member)); };
  f.present = [member](const T& t) { return (t.*member).has_value(); };
  return f;
}

/// A size written with a unit, held in bytes.
template <class T>
Field<T> size(std::string name, double T::*member, Range range_bytes, std::string doc) {
  Field<T> f = detail::make<T>(ParamType::size, std::move(name), range_bytes, std::move(doc));
  f.read = [member, range_bytes](const YamlValue& v, T& t) { t.*member = v.as_size_bytes(range_bytes); };
  f.emit = [member](YAML::Emitter& out, const T& t) { out << bytes_text(t.*member); };
  f.text = [member](const T& t) { return bytes_text(t.*member); };
  return f;
}

/// A rate written with a unit, held in bit/s ("unlimited" where the range allows infinity).
template <class T>
Field<T> rate(std::string name, double T::*member, Range range_bps, std::string doc) {
  Field<T> f = detail::make<T>(ParamType::rate, std::move(name), range_bps, std::move(doc));
  f.read = [member, range_bps](const YamlValue& v, T& t) { t.*member = v.as_rate_bps(range_bps); };
  f.emit = [member](YAML::Emitter& out, const T& t) { out << rate_text(t.*member); };
  f.text = [member](const T& t) { return rate_text(t.*member); };
  return f;
}

/// One of an enum's names (its table is the list of allowed values).
template <class T, class E>
Field<T> choice(std::string name, E T::*member, const EnumNames<E>& names, std::string doc) {
  Field<T> f = detail::make<T>(ParamType::choice, std::move(name), any_value(), std::move(doc));
  f.spec.choices = names.names();
  f.read = [member, &names](const YamlValue& v, T& t) {
    t.*member = names.value(v.as_choice(names.names()));
  };
  f.emit = [member, &names](YAML::Emitter& out, const T& t) { out << names.name(t.*member); };
  f.text = [member, &names](const T& t) { return names.name(t.*member); };
  return f;
}

/// A key that is a section of its own (declared under its path); the caller reads and writes it.
template <class T>
Field<T> subsection(std::string name, std::string doc) {
  Field<T> f = detail::make<T>(ParamType::section, std::move(name), any_value(), std::move(doc));
  f.subsection = true;
  f.text = [](const T&) { return std::string(); };
  return f;
}

/// A key holding a list or another structure, read and written by the given functions.
template <class T>
Field<T> structured(
    std::string name, ParamType type, std::string doc, std::function<void(const YamlValue&, T&)> read,
    std::function<void(YAML::Emitter&, const T&)> emit,
    std::function<bool(const T&)> present = [](const T&) { return true; }) {
  Field<T> f = detail::make<T>(type, std::move(name), any_value(), std::move(doc));
  f.read = std::move(read);
  f.emit = std::move(emit);
  f.text = [](const T&) { return std::string(); };
  f.present = std::move(present);
  return f;
}

/// The field, required to be written.
template <class T>
Field<T> required(Field<T> f) {
  f.required = true;
  return f;
}

/// The field, with an effect only when key `other` of the same section has one of `values`.
template <class T>
Field<T> only_when(Field<T> f, std::string other, std::vector<std::string> values) {
  f.spec.only_with = std::move(other);
  f.spec.only_with_values = std::move(values);
  return f;
}

}  // namespace field

}  // namespace dltsim
