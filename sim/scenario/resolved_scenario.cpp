#include "sim/scenario/resolved_scenario.hpp"

#include <cmath>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "sim/core/units.hpp"
#include "sim/scenario/scenario_sections.hpp"

namespace dltsim {

namespace {

void write_selection(YAML::Emitter& out, const NodeSelection& s);

void params(YAML::Emitter& out, const std::vector<ParamSpec>& specs, const ParamValues& values,
            const std::map<std::string, NodeSelection>& selections = {}) {
  out << YAML::Key << "params" << YAML::Value << YAML::BeginMap;
  for (const ParamSpec& s : specs) {
    out << YAML::Key << s.name << YAML::Value;
    if (const auto it = selections.find(s.name); it != selections.end()) {
      write_selection(out, it->second);
    } else {
      out << values.text(s.name);
    }
  }
  out << YAML::EndMap;
}

void write_network(YAML::Emitter& out, const NetworkSpec& net) {
  if (net.idealised) {
    idealised_network_section().write(out, net);
    return;
  }
  network_section().write(out, net, [&net](YAML::Emitter& o, const std::string& key) {
    if (key == "regions") {
      o << YAML::Key << key << YAML::Value << YAML::BeginSeq;
      for (const RegionSpec& r : net.regions) region_section().write(o, r);
      o << YAML::EndSeq;
    } else if (key == "latency") {
      o << YAML::Key << key << YAML::Value;
      latency_section().write(o, net);
    } else if (key == "topology") {
      o << YAML::Key << key << YAML::Value;
      topology_section().write(o, net.topology);
    } else if (key == "churn" && net.churn.fraction > 0) {
      o << YAML::Key << key << YAML::Value;
      churn_section().write(o, net.churn);
    } else if (key == "peers" && net.peers.enabled) {
      o << YAML::Key << key << YAML::Value;
      peer_section().write(o, net.peers);
    } else if (key == "internet" && net.internet.ases > 0) {
      o << YAML::Key << key << YAML::Value;
      internet_section().write(o, net.internet);
    }
  });
}

void write_selection(YAML::Emitter& out, const NodeSelection& s) {
  out << YAML::Flow << YAML::BeginMap << YAML::Key << select_by_names().name(s.by) << YAML::Value;
  switch (s.by) {
    case SelectBy::fraction:
    case SelectBy::power_share:
      out << exact_text(s.amount);
      break;
    case SelectBy::region:
      out << s.region;
      break;
    case SelectBy::ids:
      out << YAML::Flow << s.ids;
      break;
    case SelectBy::ases:
      out << YAML::Flow << s.ases;
      break;
    default:  // counts
      out << static_cast<std::uint64_t>(s.amount);
      break;
  }
  out << YAML::EndMap;
}

}  // namespace

std::string resolved_scenario_yaml(const Scenario& sc, const Catalog& catalog) {
  YAML::Emitter out;
  root_section().write(out, sc, [&](YAML::Emitter& o, const std::string& key) {
    if (key == "general") {
      o << YAML::Key << key << YAML::Value;
      general_section().write(o, sc, [&sc](YAML::Emitter& g, const std::string&) {
        g << YAML::Key << "stop" << YAML::Value;
        stop_section().write(g, sc.stop);
      });
    } else if (key == "network") {
      o << YAML::Key << key << YAML::Value;
      write_network(o, sc.network);
    } else if (key == "consensus") {
      o << YAML::Key << key << YAML::Value;
      consensus_section().write(o, sc.consensus, [&](YAML::Emitter& c, const std::string& sub) {
        if (sub == "params") {
          params(c, catalog.protocols.get(sc.consensus.protocol).params, sc.consensus.params);
        } else {
          c << YAML::Key << sub << YAML::Value;
          power_section().write(c, sc.consensus.power);
        }
      });
    } else if (key == "transactions" && sc.transactions.enabled) {
      o << YAML::Key << key << YAML::Value;
      transactions_section().write(o, sc.transactions, [&sc](YAML::Emitter& t, const std::string& sub) {
        if (sub == "stem") {
          if (!sc.transactions.stem.enabled) return;
          t << YAML::Key << "stem" << YAML::Value;
          stem_section().write(t, sc.transactions.stem);
          return;
        }
        if (sc.transactions.scripted.empty()) return;
        t << YAML::Key << "scripted" << YAML::Value << YAML::BeginSeq;
        for (const ScriptedTx& x : sc.transactions.scripted) scripted_tx_section().write(t, x);
        t << YAML::EndSeq;
      });
    } else if (key == "attacks" && !sc.attacks.empty()) {
      o << YAML::Key << key << YAML::Value << YAML::BeginSeq;
      for (const AttackSpec& a : sc.attacks) {
        attack_section().write(o, a, [&](YAML::Emitter& e, const std::string& sub) {
          if (sub == "nodes") {
            e << YAML::Key << sub << YAML::Value;
            write_selection(e, a.nodes);
          } else {
            params(e, catalog.attacks.get(a.name).params, a.params, a.selections);
          }
        });
      }
      o << YAML::EndSeq;
    } else if (key == "output") {
      o << YAML::Key << key << YAML::Value;
      output_section().write(o, sc.output);
    }
  });
  return std::string(out.c_str()) + "\n";
}

}  // namespace dltsim
