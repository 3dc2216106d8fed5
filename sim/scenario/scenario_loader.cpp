#include "sim/scenario/scenario_loader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/scenario/scenario_sections.hpp"
#include "sim/scenario/yaml_value.hpp"
#include "sim/tx/stem_preset.hpp"
#include "sim/tx/tx_metrics.hpp"
#include "sim/tx/tx_preset.hpp"

namespace dltsim {

namespace {

std::string stem_of(const std::string& path) {
  std::string base =
      path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const auto dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

RegionSpec read_region(const YamlValue& v) {
  RegionSpec r;
  region_section().read(v, r);
  return r;
}

void read_latency(const YamlValue& v, NetworkSpec& net, bool regions_from_preset, const std::string& preset) {
  latency_section().read(v, net);
  if (v.get("matrix_ms") && v.get("uniform")) v.fail("give either matrix_ms or uniform, not both");
  if (!v.get("matrix_ms") && !v.get("uniform") && !regions_from_preset) {
    v.fail("give matrix_ms or uniform: the regions are not the preset's" +
           (preset.empty() ? std::string() : " ('" + preset + "')"));
  }
}

void read_topology(const YamlValue& v, NetworkSpec& net, Scenario& sc) {
  if (v.get("outbound") && v.get("outbound_cdf"))
    v.fail("give either outbound (a fixed degree) or outbound_cdf, not both");
  topology_section().read(v, net.topology);
  for (const auto& [key, value] : v.entries()) sc.locations[value.path()] = value.where();
  if (net.topology.model == "tree") {
    const std::vector<double>& cdf = net.topology.outbound_degree_cdf;
    const bool step = std::all_of(cdf.begin(), cdf.end() - 1, [](double p) { return p == 0; });
    if (!step) v.at("outbound_cdf").fail("a tree needs one degree: write outbound: d");
    if (cdf.size() < 2) v.at("outbound").fail("a tree needs a degree of at least 2");
  }
}

// The textbook model of selfish-mining, double-spending and stale-rate analyses: a node sends each
// block straight to every other node, and every message arrives `delay` after it is sent (fixed,
// or exponential with that mean), with no bandwidth model; 0 by default: at the instant it is sent.
NetworkSpec idealised_network(const YamlValue& v) {
  NetworkSpec net;
  idealised_network_section().read(v, net);
  const double unlimited = std::numeric_limits<double>::infinity();
  net.regions = {RegionSpec{"ideal", 1.0, unlimited, unlimited}};
  net.latency_s = {{0.0}};
  net.latency_model = LatencyModel::fixed;
  net.topology.model = "complete";
  net.contention = Contention::none;
  return net;
}

// Largest outbound degree the distribution can draw (the first degree where the cdf reaches 1).
std::uint32_t max_outbound_degree(const std::vector<double>& cdf) {
  for (std::size_t k = 0; k < cdf.size(); ++k) {
    if (cdf[k] >= 1 - kShareTolerance) return static_cast<std::uint32_t>(k + 1);
  }
  return static_cast<std::uint32_t>(cdf.size());
}

// A random peer graph must be buildable as asked: no degree is silently cut to what fits.
void check_topology(const YamlValue& v, const NetworkSpec& net) {
  if (net.topology.model != "random" || net.nodes <= 1) return;
  const std::uint32_t degree = max_outbound_degree(net.topology.outbound_degree_cdf);
  // Blame the key that set the degrees: topology.outbound(_cdf), else the preset, else network.
  std::optional<YamlValue> source;
  if (const auto t = v.get("topology")) {
    if (const auto o = t->get("outbound")) source = o;
    if (const auto c = t->get("outbound_cdf")) source = c;
  }
  if (net.peers.enabled) {
    // network.peers sets both the degree and the inbound cap.
    source = v.at("peers");
    if (const auto m = source->get("max_inbound"); m && degree > net.topology.max_inbound) source = m;
  }
  const std::string from =
      net.peers.enabled
          ? fmt::format("network.peers' {} outbound connections (outbound + block_relay_only)", degree)
      : source             ? "the outbound degree"
      : net.preset.empty() ? "the default outbound degree (8)"
                           : fmt::format("the outbound-degree distribution of preset '{}'", net.preset);
  if (!source) source = v.get("preset") ? v.get("preset") : v.get("nodes");
  if (degree > net.nodes - 1) {
    source->fail(
        fmt::format("{} reaches {} peers, but a node has only {} other nodes to connect to: give "
                    "network.topology.outbound (at most {}) or at least {} nodes",
                    from, degree, net.nodes - 1, net.nodes - 1, degree + 1));
  }
  if (degree > net.topology.max_inbound) {
    source->fail(
        fmt::format("{} reaches {} peers, more than the {} inbound connections a node accepts "
                    "(network.topology.max_inbound): the peer graph cannot be built as asked",
                    from, degree, net.topology.max_inbound));
  }
}

// Parameters written in v that have no effect with the values they are combined with (warnings).
void warn_inert_params(const YamlValue& v, const std::vector<ParamSpec>& specs, const ParamValues& values,
                       Scenario& sc) {
  for (const auto& [name, value] : v.entries()) {
    const ParamSpec* spec = find_param(specs, name);
    if (spec == nullptr) continue;
    if (std::string why = inert_reason(*spec, values); !why.empty())
      sc.warnings.push_back(ScenarioWarning{value.where(), value.path(), std::move(why)});
  }
}

// network.peers: address tables and dynamic connections. They set the outbound degree and the inbound
// cap of the initial peer graph, so network.topology may not set them too.
void read_peers(const YamlValue& v, NetworkSpec& net, Scenario& sc) {
  sc.locations["network.peers"] = v.where();
  PeerSpec& p = net.peers;
  peer_section().read(v, p);
  p.enabled = true;
  // Anchors are the block-relay-only peers kept over a restart (Bitcoin Core 0.21's anchors.dat).
  if (const auto a = v.get("anchors"); a && p.anchors && p.block_relay_only == 0)
    sc.warnings.push_back(ScenarioWarning{
        a->where(), a->path(),
        "has no effect with block_relay_only: 0 (anchors are the block-relay-only connections kept over a "
        "restart)"});
  if (const auto f = v.get("feeler_interval"); f && !p.feelers)
    sc.warnings.push_back(ScenarioWarning{f->where(), f->path(), "has no effect with feelers: false"});
  if (net.topology.model != "random")
    v.fail("network.peers needs a random peer graph (topology.model: random)");
  if (const auto g = v.get("groups"); g && p.groups == PeerGroups::as && net.internet.ases == 0)
    g->fail(
        "'as' groups addresses by their AS: the network needs an Internet placement (network.internet, or a "
        "preset that has one)");
  const std::uint64_t slots = std::uint64_t{p.new_buckets + p.tried_buckets} * p.bucket_size;
  if (slots > (1u << 20)) {
    v.fail(
        fmt::format("the address tables have {} slots per node; at most {} are allowed (memory grows with "
                    "nodes x slots)",
                    slots, 1u << 20));
  }
  const std::uint32_t degree = p.outbound + p.block_relay_only;
  net.topology.outbound_degree_cdf.assign(degree, 0.0);
  net.topology.outbound_degree_cdf.back() = 1.0;
  net.topology.max_inbound = p.max_inbound;
  net.topology.degrees_from_peers = true;
}

// network.internet: AS and prefix placement; keys not given keep the preset's values.
void read_internet(const YamlValue& v, NetworkSpec& net, Scenario& sc) {
  sc.locations["network.internet"] = v.where();
  internet_section().read(v, net.internet);
  if (net.internet.ases == 0)
    v.fail("missing required key 'ases': the network's preset has no Internet placement");
}

NetworkSpec read_network(const YamlValue& v, const Catalog& catalog, Scenario& sc) {
  sc.locations["network"] = v.where();
  if (const auto ideal = v.get("idealised"); ideal && ideal->as_bool()) return idealised_network(v);
  NetworkSpec net;
  network_section().read(v, net);
  bool regions_from_preset = false;
  if (const auto p = v.get("preset")) {
    std::vector<std::string> names;
    for (const auto& e : catalog.presets.entries()) names.push_back(e.name);
    net.preset = p->as_choice(names);
    const NetworkPreset& preset = catalog.presets.get(net.preset);
    net.regions = preset.regions;
    net.latency_s = preset.latency_s;
    net.latency_model = preset.latency_model;
    net.topology.outbound_degree_cdf = preset.outbound_degree_cdf;
    net.topology.max_inbound = preset.max_inbound;
    net.internet = preset.internet;
    net.preset_pools = preset.pools;
    regions_from_preset = true;
  }
  sc.locations["network.nodes"] = v.at("nodes").where();
  if (const auto r = v.get("regions")) {
    sc.locations["network.regions"] = r->where();
    net.regions.clear();
    for (const YamlValue& item : r->items()) net.regions.push_back(read_region(item));
    if (net.regions.empty()) r->fail("at least one region is needed");
    for (std::size_t i = 0; i < net.regions.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (net.regions[i].name == net.regions[j].name) {
          r->items()[i].at("name").fail(fmt::format("duplicate region name '{}'", net.regions[i].name));
        }
      }
    }
    regions_from_preset = false;
  } else if (net.regions.empty()) {
    v.fail("missing required key 'regions' (or a 'preset' that provides them)");
  }
  if (const auto l = v.get("latency")) {
    read_latency(*l, net, regions_from_preset, net.preset);
  } else if (!regions_from_preset) {
    v.fail("missing required key 'latency': the regions are not a preset's");
  }
  if (net.topology.outbound_degree_cdf.empty()) net.topology.outbound_degree_cdf = {0, 0, 0, 0, 0, 0, 0, 1};
  if (const auto t = v.get("topology")) {
    sc.locations["network.topology"] = t->where();
    read_topology(*t, net, sc);
    if (net.topology.model == "complete" && net.nodes > kMaxCompleteNodes) {
      t->at("model").fail(
          fmt::format("a complete graph is limited to {} nodes ({} requested): it has n (n - 1) / 2 "
                      "connections",
                      kMaxCompleteNodes, net.nodes));
    }
  }
  if (const auto i = v.get("internet")) read_internet(*i, net, sc);
  if (const auto c = v.get("churn")) {
    sc.locations["network.churn"] = c->where();
    churn_section().read(*c, net.churn);
  }
  if (const auto p = v.get("peers")) {
    if (const auto t = v.get("topology")) {
      for (const char* key : {"outbound", "outbound_cdf", "max_inbound"}) {
        if (const auto x = t->get(key)) {
          x->fail(
              fmt::format("network.peers sets the peer graph's degrees: give peers.outbound, "
                          "peers.block_relay_only and peers.max_inbound instead of topology.{}",
                          key));
        }
      }
    }
    read_peers(*p, net, sc);
  }
  check_topology(v, net);
  return net;
}

PowerSpec read_power(const YamlValue& v, const NetworkSpec& net) {
  const std::uint32_t nodes = net.nodes;
  PowerSpec p;
  power_section().read(v, p);
  switch (p.distribution) {
    case PowerDistribution::equal:
      break;
    case PowerDistribution::normal:
      // Only ratios matter, but the sum over nodes must stay a finite number (10 standard
      // deviations cover every draw of a run).
      if (!std::isfinite((p.mean + 10 * p.stddev) * nodes)) {
        v.fail(
            fmt::format("mean and stddev are so large that the power of {} nodes overflows; only ratios "
                        "matter: scale both down",
                        nodes));
      }
      break;
    case PowerDistribution::shares: {
      const YamlValue shares = v.at("shares");
      if (p.shares.empty()) shares.fail("at least one share is needed");
      if (p.shares.size() > nodes) shares.fail(fmt::format("{} shares for {} nodes", p.shares.size(), nodes));
      const double sum = std::accumulate(p.shares.begin(), p.shares.end(), 0.0);
      if (sum > 1 + kShareTolerance) shares.fail(fmt::format("shares sum to {}, more than 1", sum));
      const bool rest_zero = !p.others_equal || p.shares.size() == nodes;
      if (rest_zero && std::fabs(sum - 1) > kShareTolerance) {
        shares.fail(fmt::format("shares sum to {}; they must sum to 1 when the other nodes get zero", sum));
      }
      break;
    }
    case PowerDistribution::pools: {
      const auto pools = v.get("pools");
      if (pools) {
        if (p.pools.empty()) pools->fail("at least one pool is needed");
      } else if (net.preset_pools.empty()) {
        v.fail(fmt::format("missing required key 'pools': {} no measured pool table",
                           net.preset.empty() ? std::string("the network has")
                                              : fmt::format("preset '{}' has", net.preset)));
      } else {
        // The preset's measured table; what it leaves out goes to solo miners unless told otherwise.
        for (const MiningPool& m : net.preset_pools) p.pools.push_back(m.share);
        if (!v.get("pool_names")) {
          for (const MiningPool& m : net.preset_pools) p.pool_names.push_back(m.name);
        }
        if (!v.get("others")) p.others_equal = true;
      }
      if (const auto names = v.get("pool_names")) {
        if (p.pool_names.size() != p.pools.size())
          names->fail(fmt::format("{} names for {} pools", p.pool_names.size(), p.pools.size()));
      }
      const YamlValue& where = pools ? *pools : v;
      if (const auto a = v.get("pool_ases")) {
        if (p.pool_ases > 0 && net.internet.ases == 0)
          a->fail(
              "pool_ases places gateways by AS: the network needs an Internet placement (network.internet)");
        if (p.pool_ases > net.internet.ases)
          a->fail(fmt::format("the network has {} ASes", net.internet.ases));
      }
      const double sum = std::accumulate(p.pools.begin(), p.pools.end(), 0.0);
      if (sum > 1 + kShareTolerance) where.fail(fmt::format("pool shares sum to {:.6g}, more than 1", sum));
      if (!p.others_equal && std::fabs(sum - 1) > kShareTolerance) {
        where.fail(
            fmt::format("pool shares sum to {:.6g}; they must sum to 1 unless others: equal (solo miners "
                        "share the rest)",
                        sum));
      }
      if (std::uint64_t{p.gateways} * p.pools.size() >= nodes) {
        where.fail(fmt::format("{} pools x {} gateways need more than the {} nodes", p.pools.size(),
                               p.gateways, nodes));
      }
      break;
    }
  }
  return p;
}

NodeSelection read_selection(const YamlValue& v, const NetworkSpec& net) {
  const std::vector<std::string>& selectors = select_by_names().names();
  v.expect_keys(selectors);
  const auto entries = v.entries();
  if (entries.size() != 1) v.fail(fmt::format("give exactly one of: {}", fmt::join(selectors, ", ")));
  const auto& [by, value] = entries.front();
  NodeSelection s;
  s.by = select_by_names().value(by);
  switch (s.by) {
    case SelectBy::count:
    case SelectBy::top_degree:
    case SelectBy::top_power:
      s.amount = static_cast<double>(value.as_int(between(1, net.nodes)));
      break;
    case SelectBy::fraction:
    case SelectBy::power_share:
      s.amount = value.as_real(Range{0, 1, true, false});
      break;
    case SelectBy::region: {
      std::vector<std::string> names;
      for (const auto& r : net.regions) names.push_back(r.name);
      s.region = value.as_choice(names);
      break;
    }
    case SelectBy::ids: {
      std::set<NodeId> seen;
      for (const YamlValue& id : value.items()) {
        const auto node = static_cast<NodeId>(id.as_int(between(0, net.nodes - 1.0)));
        if (!seen.insert(node).second) id.fail(fmt::format("node {} is listed twice in this attack", node));
        s.ids.push_back(node);
      }
      if (s.ids.empty()) value.fail("at least one node id is needed");
      break;
    }
    case SelectBy::ases:
    case SelectBy::top_ases:
    case SelectBy::top_prefixes: {
      const std::uint32_t ases = net.internet.ases;
      if (ases == 0) {
        value.fail(
            fmt::format("'{}' needs the network's Internet placement (network.internet, or a preset that has "
                        "one): this network has none",
                        by));
      }
      if (s.by == SelectBy::top_ases) {
        s.amount = static_cast<double>(value.as_int(between(1, ases)));
      } else if (s.by == SelectBy::top_prefixes) {
        s.amount = static_cast<double>(value.as_int(between(1, net.nodes)));
      } else {
        std::set<std::uint32_t> seen;
        for (const YamlValue& as : value.items()) {
          // AS ranks are 1..ases: a rank outside is an AS the network does not have.
          const auto rank = static_cast<std::uint32_t>(as.as_int(between(1, ases)));
          if (!seen.insert(rank).second) as.fail(fmt::format("AS {} is listed twice", rank));
          s.ases.push_back(rank);
        }
        if (s.ases.empty()) value.fail("at least one AS rank is needed");
      }
      break;
    }
  }
  return s;
}

AttackSpec read_attack(const YamlValue& v, const Catalog& catalog, Scenario& sc) {
  const NetworkSpec& net = sc.network;
  const std::string& protocol = sc.consensus.protocol;
  AttackSpec a;
  attack_section().read(v, a);
  std::vector<std::string> names;
  for (const auto& e : catalog.attacks.entries()) names.push_back(e.name);
  const YamlValue name = v.at("attack");
  if (names.empty()) name.fail(fmt::format("unknown attack '{}': no attack is registered", name.scalar()));
  a.name = name.as_choice(names);
  const AttackInfo& info = catalog.attacks.get(a.name);
  const ProtocolInfo& protocol_info = catalog.protocols.get(protocol);
  if (!catalog.attack_fits(info, protocol_info)) {
    name.fail(fmt::format("attack '{}' works on the {} famil{} (protocols {}), not on '{}' ({} family)",
                          a.name, fmt::join(info.families, ", "), info.families.size() == 1 ? "y" : "ies",
                          fmt::join(catalog.protocols_for(info), ", "), protocol, protocol_info.family));
  }
  if (info.needs_transactions && !sc.transactions.enabled) {
    name.fail(
        fmt::format("attack '{}' acts on transactions: the scenario needs a transactions section "
                    "(docs/transactions.md)",
                    a.name));
  }
  a.nodes = read_selection(v.at("nodes"), net);
  sc.locations[v.path()] = v.where();
  sc.locations[v.path() + ".nodes"] = v.at("nodes").where();
  if (!info.power_param.empty()) {
    const bool all =
        (a.nodes.by == SelectBy::count && a.nodes.amount >= net.nodes) ||
        (a.nodes.by == SelectBy::fraction && std::lround(a.nodes.amount * net.nodes) >= net.nodes) ||
        (a.nodes.by == SelectBy::ids && a.nodes.ids.size() >= net.nodes);
    if (all) v.at("nodes").fail("the attack would control every node: leave some honest nodes");
  }
  if (a.end_s <= a.start_s) v.at("end").fail("the attack must end after it starts");
  if (const auto p = v.get("params")) {
    a.params = p->as_params(info.params);
    warn_inert_params(*p, info.params, a.params, sc);
    for (const ParamSpec& spec : info.params) {
      if (spec.type != ParamType::selection) continue;
      const auto s = p->get(spec.name);
      if (!s || !s->is_map()) continue;  // none
      a.selections[spec.name] = read_selection(*s, net);
      sc.locations[s->path()] = s->where();
    }
    if (info.check) {
      if (const std::string problem = info.check(a.params); !problem.empty()) p->fail(problem);
    }
  } else {
    a.params = default_params(info.params);
  }
  if (info.check_window) {
    if (const std::string problem = info.check_window(a.params, a.start_s, a.end_s); !problem.empty()) {
      (v.get("params") ? v.at("params") : v).fail(problem);
    }
  }
  if (info.check_network) {
    if (const std::string problem = info.check_network(a.params, net); !problem.empty()) name.fail(problem);
  }
  return a;
}

// transactions: the workload, relay and mempools; checked against the protocol's block capacity.
TxSpec read_transactions(const YamlValue& v, const Catalog& catalog, const Scenario& sc) {
  const ProtocolInfo& protocol = catalog.protocols.get(sc.consensus.protocol);
  if (!protocol.block_interval_s) {
    std::vector<std::string> carriers;
    for (const auto& e : catalog.protocols.entries()) {
      if (e.block_interval_s) carriers.push_back(e.name);
    }
    v.fail(fmt::format("protocol '{}' does not carry transactions; protocols that do: {}", protocol.name,
                       fmt::join(carriers, ", ")));
  }
  TxSpec t;
  if (const auto p = v.get("preset")) {
    std::vector<std::string> names;
    for (const TxPreset& e : tx_presets()) names.push_back(e.name);
    t = find_tx_preset(p->as_choice(names))->values;
    t.preset = p->scalar();
  }
  transactions_section().read(v, t);
  t.enabled = true;
  const std::uint32_t nodes = sc.network.nodes;
  if (const auto s = v.get("origin_shares"); s && t.origin == OriginRule::shares) {
    if (t.origin_shares.empty()) s->fail("at least one share is needed");
    if (t.origin_shares.size() > nodes)
      s->fail(fmt::format("{} shares for {} nodes", t.origin_shares.size(), nodes));
    const double sum = std::accumulate(t.origin_shares.begin(), t.origin_shares.end(), 0.0);
    if (sum > 1 + kShareTolerance) s->fail(fmt::format("shares sum to {:.6g}, more than 1", sum));
  }
  if (const auto stem = v.get("stem")) {
    if (const auto p = stem->get("preset")) {
      std::vector<std::string> names;
      for (const StemPreset& e : stem_presets()) names.push_back(e.name);
      t.stem = find_stem_preset(p->as_choice(names))->values;
    }
    stem_section().read(*stem, t.stem);
    t.stem.enabled = true;
  }
  if (const auto list = v.get("scripted")) {
    std::set<std::string> names;
    for (const YamlValue& item : list->items()) {
      ScriptedTx x;
      scripted_tx_section().read(item, x);
      if (x.name.empty()) item.at("name").fail("a scripted transaction needs a name");
      if (!names.insert(x.name).second) item.at("name").fail(fmt::format("duplicate name '{}'", x.name));
      if (x.node >= nodes) item.at("node").fail(fmt::format("the network has nodes 0 to {}", nodes - 1));
      t.scripted.push_back(x);
    }
    const auto items = list->items();
    for (std::size_t i = 0; i < t.scripted.size(); ++i) {
      const std::string& c = t.scripted[i].conflicts;
      if (c.empty()) continue;
      if (c == t.scripted[i].name) items[i].at("conflicts").fail("a transaction cannot conflict with itself");
      if (names.count(c) == 0) {
        items[i]
            .at("conflicts")
            .fail(fmt::format("names an unknown transaction '{}'; scripted transactions: {}", c,
                              fmt::join(names, ", ")));
      }
    }
  }
  // The mean workload against the mean capacity: at a load of 1 or more the backlog grows without bound,
  // which a study of a flood may want, but a typo in a rate should not give silently.
  const double interval_s = protocol.block_interval_s(sc.consensus.params);
  const double mean_size = mean_tx_size_bytes(t);
  const double load = t.tx_per_s * mean_size * interval_s / t.block_capacity_bytes;
  if (load >= 1 && !t.overload) {
    (v.get("tx_per_s") ? v.at("tx_per_s") : v)
        .fail(fmt::format(
            "{:.4g} transactions/s of {:.4g} bytes on average need {:.3g} times the block capacity "
            "({:.4g} bytes per {:.4g} s block): the backlog would grow without bound; set "
            "overload: true to study that",
            t.tx_per_s, mean_size, load, t.block_capacity_bytes, interval_s));
  }
  return t;
}

StopSpec read_stop(const YamlValue& v) {
  StopSpec s;
  stop_section().read(v, s);
  if (!s.time_s && !s.blocks) v.fail("give a stop condition: time, blocks, or both");
  return s;
}

}  // namespace

std::vector<std::string> runtime_table_names() {
  return {"nodes", "regions", "messages", "pools"};
}

namespace {

constexpr std::size_t kMaxExtendsDepth = 8;
constexpr std::uintmax_t kMaxScenarioBytes = 1 << 20;

std::string dir_of(const std::string& file) {
  const auto slash = file.rfind('/');
  return slash == std::string::npos ? "" : file.substr(0, slash + 1);
}

// Fills `over` with what `base` has and it does not, recursively through mappings (a sequence or a
// scalar in `over` replaces the base's whole); records where the taken values came from.
void merge_into(YAML::Node over, const YAML::Node& base, const std::string& path,
                const std::string& base_file, YamlSources& sources) {
  for (const auto& kv : base) {
    const std::string key = kv.first.Scalar();
    const std::string child = path.empty() ? key : path + "." + key;
    const YAML::Node mine = over[key];
    if (!mine.IsDefined() || mine.IsNull()) {
      over[key] = kv.second;
      sources.inherited[child] = base_file;
    } else if (mine.IsMap() && kv.second.IsMap()) {
      merge_into(mine, kv.second, child, base_file, sources);
    }
  }
}

// Resolves `extends: base.yaml` (relative to the file that says it) into doc, base first, so that
// the document holds everything and the run's provenance needs no other file.
void resolve_extends(YAML::Node doc, const std::string& file, YamlSources& sources,
                     std::vector<std::string>& chain) {
  const YAML::Node ext = doc["extends"];
  if (!ext.IsDefined()) return;
  const YamlValue where_ext(ext, "extends", std::make_shared<YamlSources>(YamlSources{file, {}, {}}));
  if (!ext.IsScalar() || ext.Scalar().empty()) where_ext.fail("expected the path of a base scenario file");
  const std::string rel = ext.Scalar();
  const std::string base_file = !rel.empty() && rel[0] == '/' ? rel : dir_of(file) + rel;
  if (std::find(chain.begin(), chain.end(), base_file) != chain.end() || chain.size() >= kMaxExtendsDepth) {
    where_ext.fail(fmt::format("extends {} again: a cycle or more than {} levels ({})",
                               quote_value(base_file), kMaxExtendsDepth, fmt::join(chain, " -> ")));
  }
  // A regular file of a scenario's size: not a device (/dev/zero never ends) or a FIFO.
  std::error_code ec;
  const auto status = std::filesystem::status(base_file, ec);
  if (ec || !std::filesystem::is_regular_file(status))
    where_ext.fail(
        fmt::format("cannot read the base scenario {}: not a regular file", quote_value(base_file)));
  if (std::filesystem::file_size(base_file, ec) > kMaxScenarioBytes || ec)
    where_ext.fail(fmt::format("the base scenario {} is larger than {} bytes", quote_value(base_file),
                               kMaxScenarioBytes));
  std::ifstream in(base_file);
  if (!in) where_ext.fail(fmt::format("cannot read the base scenario {}", quote_value(base_file)));
  std::ostringstream text;
  text << in.rdbuf();
  YamlSources base_sources{base_file, {}, {}};
  YAML::Node base = parse_yaml(text.str(), base_sources);
  if (!base.IsMap())
    YamlValue(base, "", std::make_shared<YamlSources>(base_sources)).fail("a scenario is a mapping");
  chain.push_back(base_file);
  resolve_extends(base, base_file, base_sources, chain);
  doc.remove("extends");
  merge_into(doc, base, "", base_file, sources);
  // What the base took from its own base, and this document took from the base, names the deeper file.
  const auto taken_from_base = [&](const std::string& p) {
    for (const auto& [q, f] : sources.inherited) {
      if (f == base_file && (p == q || (p.size() > q.size() && p.compare(0, q.size(), q) == 0 &&
                                        (p[q.size()] == '.' || p[q.size()] == '['))))
        return true;
    }
    return false;
  };
  std::map<std::string, std::string> deeper;
  for (const auto& [p, f] : base_sources.inherited) {
    if (taken_from_base(p)) deeper[p] = f;
  }
  for (const auto& [p, f] : deeper) sources.inherited[p] = f;
}

}  // namespace

ScenarioInput read_scenario_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("cannot read scenario file '{}'", path));
  std::ostringstream text;
  text << in.rdbuf();
  return ScenarioInput{path, text.str(), {}};
}

Scenario load_scenario(const ScenarioInput& input, const Catalog& catalog) {
  auto sources = std::make_shared<YamlSources>();
  sources->file = input.name;
  YAML::Node doc = parse_yaml(input.text, *sources);
  if (!doc.IsMap()) {
    YamlValue(doc, "", sources)
        .fail("a scenario is a mapping with keys general, network, consensus, attacks, output");
  }
  std::vector<std::string> chain{input.name};
  resolve_extends(doc, input.name, *sources, chain);
  // Each scenario file writes its own result by default: a base's output.path is not inherited.
  const auto from_base = [&](const std::string& p) { return sources->inherited.count(p) != 0; };
  if (doc["output"].IsMap() && doc["output"]["path"].IsDefined() &&
      (from_base("output") || from_base("output.path"))) {
    doc["output"].remove("path");
    if (doc["output"].size() == 0) doc.remove("output");
  }
  for (const std::string& o : input.overrides) apply_override(doc, o, *sources);
  const YamlValue root(doc, "", sources);

  Scenario sc;
  sc.source_name = input.name;
  sc.source_text = input.text;
  sc.overrides = input.overrides;
  root_section().read(root, sc);

  const YamlValue general = root.at("general");
  general_section().read(general, sc);
  sc.stop = read_stop(general.at("stop"));

  sc.network = read_network(root.at("network"), catalog, sc);

  const YamlValue consensus = root.at("consensus");
  consensus_section().read(consensus, sc.consensus);
  std::vector<std::string> protocols;
  for (const auto& e : catalog.protocols.entries()) protocols.push_back(e.name);
  sc.consensus.protocol = consensus.at("protocol").as_choice(protocols);
  const ProtocolInfo& protocol = catalog.protocols.get(sc.consensus.protocol);
  if (const auto p = consensus.get("params")) {
    sc.consensus.params = p->as_params(protocol.params);
    warn_inert_params(*p, protocol.params, sc.consensus.params, sc);
    if (protocol.check) {
      if (const std::string problem = protocol.check(sc.consensus.params); !problem.empty()) p->fail(problem);
    }
  } else {
    sc.consensus.params = default_params(protocol.params);
  }
  if (const auto p = consensus.get("power")) {
    sc.locations["consensus.power"] = p->where();
    sc.consensus.power = read_power(*p, sc.network);
  }
  sc.locations["consensus"] = consensus.where();

  std::vector<std::string> tables = runtime_table_names();
  tables.insert(tables.end(), protocol.tables.begin(), protocol.tables.end());
  if (const auto t = root.get("transactions")) {
    sc.locations["transactions"] = t->where();
    sc.transactions = read_transactions(*t, catalog, sc);
    const std::vector<std::string> tx_tables = transaction_table_names();
    tables.insert(tables.end(), tx_tables.begin(), tx_tables.end());
  }
  if (const auto attacks = root.get("attacks")) {
    double owned = 0;  // hashrate the attacks take for their nodes
    std::set<NodeId> named;
    for (const YamlValue& a : attacks->items()) {
      sc.attacks.push_back(read_attack(a, catalog, sc));
      const AttackSpec& spec = sc.attacks.back();
      const AttackInfo& info = catalog.attacks.get(spec.name);
      tables.insert(tables.end(), info.tables.begin(), info.tables.end());
      if (info.power_param.empty() || !spec.enabled) continue;
      owned += spec.params.number(info.power_param);
      if (owned >= 1) {
        a.fail(fmt::format("the attacks would own {:.4g} of the hashrate: leave some to the honest nodes",
                           owned));
      }
      for (NodeId id : spec.nodes.ids) {
        if (!named.insert(id).second) {
          a.at("nodes").fail(
              fmt::format("node {} is already controlled by another attack that owns hashrate", id));
        }
      }
    }
  }

  sc.output.path = stem_of(input.name) + ".h5";
  sc.output.record.insert(tables.begin(), tables.end());
  if (const auto out = root.get("output")) {
    output_section().read(*out, sc.output);
    if (const auto p = out->get("path")) sc.locations["output.path"] = p->where();
    if (const auto r = out->get("record")) {
      sc.output.record.clear();
      for (const YamlValue& t : r->items()) sc.output.record.insert(t.as_choice(tables));
    }
  }
  sc.effective_yaml = YAML::Dump(doc);
  return sc;
}

}  // namespace dltsim
