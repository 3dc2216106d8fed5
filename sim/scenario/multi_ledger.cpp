#include "sim/scenario/multi_ledger.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "sim/core/rng.hpp"
#include "sim/scenario/scenario_sections.hpp"
#include "sim/scenario/yaml_value.hpp"

namespace dltsim {

namespace {

constexpr std::uintmax_t kMaxLedgerFileBytes = 1 << 20;
constexpr std::size_t kMaxLedgers = 16;
constexpr std::size_t kMaxLedgerNameBytes = 24;
constexpr std::string_view kLedgerPrefix = "ledgers.";

std::string dir_of(const std::string& file) {
  const auto slash = file.rfind('/');
  return slash == std::string::npos ? "" : file.substr(0, slash + 1);
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxLedgerNameBytes || name[0] < 'a' || name[0] > 'z') return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// `written` is the path as the scenario gives it (relative to the scenario's folder): messages show it.
std::string read_ledger_file(const YamlValue& where, const std::string& path, const std::string& written) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(std::filesystem::status(path, ec)) || ec)
    where.fail(fmt::format("cannot read the ledger's scenario {} (relative to this file): not a regular file",
                           quote_value(written)));
  if (std::filesystem::file_size(path, ec) > kMaxLedgerFileBytes || ec)
    where.fail(fmt::format("the ledger's scenario {} is larger than {} bytes", quote_value(written),
                           kMaxLedgerFileBytes));
  std::ifstream in(path);
  if (!in) where.fail(fmt::format("cannot read the ledger's scenario {}", quote_value(written)));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A `set` value as an override's right-hand side: scalars as written, the rest as flow YAML.
std::string override_text(const YAML::Node& value) {
  if (value.IsScalar()) return value.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << value;
  return out.c_str();
}

StopSpec read_run_stop(const YamlValue& v) {
  StopSpec s;
  stop_section().read(v, s);
  if (s.blocks)
    v.at("blocks").fail(
        "several ledgers share one clock: the run ends at a time (stop.time), "
        "not after a count of one ledger's blocks");
  if (!s.time_s) v.fail("give the run's end: stop.time (several ledgers share one clock)");
  return s;
}

std::vector<BridgeSpec> read_bridges(const YamlValue& root, const MultiLedgerScenario& ms,
                                     const Catalog& catalog) {
  std::vector<BridgeSpec> bridges;
  const auto list = root.get("bridges");
  if (!list) return bridges;
  if (!list->is_sequence()) list->fail("expected a list of bridges, each {name, mechanism, <roles>, params}");
  std::vector<std::string> mechanisms;
  for (const BridgeInfo& b : catalog.bridges.entries()) mechanisms.push_back(b.name);
  std::vector<std::string> ledger_names;
  for (const LedgerSpec& l : ms.ledgers) ledger_names.push_back(l.name);
  for (const YamlValue& item : list->items()) {
    BridgeSpec b;
    b.where = item.where();
    if (!item.is_map()) item.fail("expected a mapping {name, mechanism, <roles>, params}");
    b.mechanism = item.at("mechanism").as_choice(mechanisms);
    const BridgeInfo& info = catalog.bridges.get(b.mechanism);
    std::vector<std::string> keys{"name", "mechanism", "params"};
    keys.insert(keys.end(), info.roles.begin(), info.roles.end());
    item.expect_keys(keys);
    const YamlValue name = item.at("name");
    b.name = name.scalar();
    if (!valid_name(b.name))
      name.fail(fmt::format("a bridge name is 1 to {} characters of a-z, 0-9 and _, starting with a letter",
                            kMaxLedgerNameBytes));
    for (const BridgeSpec& other : bridges) {
      if (other.name == b.name) name.fail(fmt::format("bridge {} is declared twice", quote_value(b.name)));
    }
    if (ms.ledger_index(b.name) != ms.ledgers.size())
      name.fail(fmt::format("{} names a ledger: a bridge's summary keys would mix with the ledger's",
                            quote_value(b.name)));
    for (const std::string& role : info.roles) {
      const YamlValue v = item.at(role);
      const std::size_t index = ms.ledger_index(v.as_choice(ledger_names));
      for (std::size_t r = 0; r < b.ledgers.size(); ++r) {
        if (b.ledgers[r] == index)
          v.fail(fmt::format("{} is already the bridge's {}: a bridge joins different ledgers",
                             quote_value(ms.ledgers[index].name), info.roles[r]));
      }
      b.ledgers.push_back(index);
    }
    if (const auto p = item.get("params")) {
      b.params = p->as_params(info.params);
      if (info.check) {
        if (const std::string why = info.check(b.params); !why.empty()) p->fail(why);
      }
    } else {
      b.params = default_params(info.params);
      if (info.check) {
        if (const std::string why = info.check(b.params); !why.empty()) item.fail(why);
      }
    }
    if (info.check_ledgers) {
      std::vector<const Scenario*> joined;
      for (const std::size_t l : b.ledgers) joined.push_back(&ms.ledgers[l].scenario);
      if (const std::string why = info.check_ledgers(b.params, joined); !why.empty()) item.fail(why);
    }
    bridges.push_back(std::move(b));
  }
  return bridges;
}

}  // namespace

std::size_t MultiLedgerScenario::ledger_index(const std::string& name) const {
  for (std::size_t i = 0; i < ledgers.size(); ++i) {
    if (ledgers[i].name == name) return i;
  }
  return ledgers.size();
}

ScenarioError in_ledger(const ScenarioError& error, const std::string& name) {
  const std::string path = "ledgers." + name + (error.key_path().empty() ? "" : "." + error.key_path());
  return ScenarioError(error.where(), path, error.detail());
}

bool declares_ledgers(const ScenarioInput& input) {
  YamlSources sources{input.name, {}, {}};
  const YAML::Node doc = parse_yaml(input.text, sources);
  return doc.IsMap() && doc["ledgers"].IsDefined();
}

MultiLedgerScenario load_multi_ledger(const ScenarioInput& input, const Catalog& catalog) {
  auto sources = std::make_shared<YamlSources>();
  sources->file = input.name;
  YAML::Node doc = parse_yaml(input.text, *sources);
  const YamlValue top(doc, "", sources);
  if (!doc.IsMap())
    top.fail("a multi-ledger scenario is a mapping with keys general, ledgers, bridges, output");
  // Overrides naming a ledger go to it; the rest change this document.
  std::map<std::string, std::vector<std::string>> routed;
  for (const std::string& o : input.overrides) {
    constexpr std::string_view kPrefix = kLedgerPrefix;
    const auto eq = o.find('=');
    if (o.compare(0, kPrefix.size(), kPrefix) == 0 && eq != std::string::npos) {
      const auto dot = o.find('.', kPrefix.size());
      if (dot != std::string::npos && dot < eq) {
        routed[o.substr(kPrefix.size(), dot - kPrefix.size())].push_back(o);
        continue;
      }
    }
    apply_override(doc, o, *sources);
  }
  const YamlValue root(doc, "", sources);
  root.expect_keys({"general", "ledgers", "bridges", "output"});

  MultiLedgerScenario ms;
  ms.source_name = input.name;
  ms.source_text = input.text;
  ms.overrides = input.overrides;
  const YamlValue general = root.at("general");
  general.expect_keys({"seed", "stop"});
  if (const auto s = general.get("seed")) ms.seed = s->as_uint64();
  ms.stop = read_run_stop(general.at("stop"));

  const YamlValue ledgers = root.at("ledgers");
  if (!ledgers.is_sequence()) ledgers.fail("expected a list of ledgers, each {name, scenario, set, seed}");
  const std::vector<YamlValue> items = ledgers.items();
  if (items.empty() || items.size() > kMaxLedgers)
    ledgers.fail(fmt::format("give 1 to {} ledgers, got {}", kMaxLedgers, items.size()));
  const SeedTree seeds(ms.seed);
  for (const YamlValue& item : items) {
    item.expect_keys({"name", "scenario", "set", "seed"});
    LedgerSpec ledger;
    const YamlValue name = item.at("name");
    ledger.name = name.scalar();
    if (!valid_name(ledger.name))
      name.fail(fmt::format("a ledger name is 1 to {} characters of a-z, 0-9 and _, starting with a letter",
                            kMaxLedgerNameBytes));
    if (ms.ledger_index(ledger.name) != ms.ledgers.size())
      name.fail(fmt::format("ledger {} is declared twice", quote_value(ledger.name)));
    const YamlValue file = item.at("scenario");
    ScenarioInput ledger_input;
    if (file.is_map()) {
      // Inline (what the effective document of a run writes, so that it needs no other file): errors
      // are located in the ledger's text as re-emitted, named after its place here.
      ledger_input.name = fmt::format("{} ledgers[{}].scenario", input.name, ms.ledgers.size());
      ledger_input.text = YAML::Dump(doc["ledgers"][ms.ledgers.size()]["scenario"]);
    } else {
      const std::string rel = file.scalar();
      const std::string path = !rel.empty() && rel[0] == '/' ? rel : dir_of(input.name) + rel;
      ledger_input = ScenarioInput{path, read_ledger_file(file, path, rel), {}};
    }
    if (const auto set = item.get("set")) {
      for (const auto& [key, value] : set->entries()) {
        if (!value.is_scalar() && !value.is_sequence() && !value.is_map()) value.fail("expected a value");
        ledger_input.overrides.push_back(key + "=" +
                                         override_text(doc["ledgers"][ms.ledgers.size()]["set"][key]));
      }
    }
    if (const auto it = routed.find(ledger.name); it != routed.end()) {
      for (const std::string& o : it->second)
        ledger_input.overrides.push_back(o.substr(kLedgerPrefix.size() + ledger.name.size() + 1));
    }
    try {
      ledger.scenario = load_scenario(ledger_input, catalog);
    } catch (const ScenarioError& e) {
      // Located in the ledger's file (or its override); the key path says which ledger.
      throw in_ledger(e, ledger.name);
    }
    if (const auto s = item.get("seed")) {
      ledger.scenario.seed = s->as_uint64();
      ledger.seed_given = true;
    } else {
      ledger.scenario.seed = seeds.child("ledger").child(ledger.name).seed();
    }
    // One clock: the run's end replaces the ledger file's own.
    ledger.scenario.stop = ms.stop;
    // The effective document holds the ledger as it runs (its file's base resolved, its overrides
    // applied), so that it runs again from itself alone (study runs, provenance).
    YAML::Node entry = doc["ledgers"][ms.ledgers.size()];
    entry["scenario"] = YAML::Load(ledger.scenario.effective_yaml);
    entry.remove("set");
    ms.ledgers.push_back(std::move(ledger));
  }
  for (const auto& [name, sets] : routed) {
    if (ms.ledger_index(name) == ms.ledgers.size()) {
      std::vector<std::string> names;
      for (const LedgerSpec& l : ms.ledgers) names.push_back(l.name);
      throw ScenarioError(
          SourceLocation{"--set " + sets.front(), 0, 0}, "ledgers." + name,
          fmt::format("no ledger named {}; the ledgers: {}", quote_value(name), fmt::join(names, ", ")));
    }
  }

  ms.output.path = std::filesystem::path(input.name).stem().string() + ".h5";
  if (const auto out = root.get("output")) {
    out->expect_keys({"path"});
    if (const auto p = out->get("path")) {
      ms.output.path = p->scalar();
      ms.output.path_given = true;
    }
  }
  ms.bridges = read_bridges(root, ms, catalog);
  ms.effective_yaml = YAML::Dump(doc);
  return ms;
}

}  // namespace dltsim
