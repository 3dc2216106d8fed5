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

#include "sim/scenario/yaml_value.hpp"

namespace dltsim {

namespace {

constexpr double kMaxNodes = 1e6;
// A complete graph holds n (n - 1) / 2 connections: 2,000 nodes already make 2 million.
constexpr double kMaxCompleteNodes = 2000;
constexpr double kShareTolerance = 1e-6;

const std::vector<std::string> kContentionNames{"none", "upload", "upload_download"};
const std::vector<std::string> kLatencyModelNames{"fixed", "pareto"};
const std::vector<std::string> kTopologyModels{"random", "complete"};
// Names in enum order: the index of a name is its enum value.
const std::vector<std::string> kPowerDistributions{"equal", "normal", "shares", "pools"};
const std::vector<std::string> kPowerOthers{"zero", "equal"};
const std::vector<std::string> kSelectors{"count", "fraction", "power_share",  "region",     "ids",
                                          "ases",  "top_ases", "top_prefixes", "top_degree", "top_power"};

template <class Enum>
Enum enum_of(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<Enum>(std::find(names.begin(), names.end(), name) - names.begin());
}

std::string stem_of(const std::string& path) {
  std::string base =
      path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const auto dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

std::vector<double> read_cdf(const YamlValue& v) {
  std::vector<double> cdf;
  double last = 0;
  for (const YamlValue& item : v.items()) {
    const double p = item.as_real(between(0, 1));
    if (p < last)
      item.fail(fmt::format("a cumulative distribution must not decrease ({} after {})", p, last));
    cdf.push_back(p);
    last = p;
  }
  if (cdf.empty()) v.fail("the distribution is empty");
  if (std::fabs(cdf.back() - 1.0) > kShareTolerance) {
    v.fail(fmt::format("a cumulative distribution must end at 1, ends at {}", cdf.back()));
  }
  return cdf;
}

// Access rates: at least 1 bit/s (below that a block takes longer than any run), or "unlimited".
const Range kAccessRate = at_least_or_unlimited(1);

RegionSpec read_region(const YamlValue& v) {
  v.expect_keys({"name", "share", "download", "upload"});
  RegionSpec r;
  const YamlValue name = v.at("name");
  r.name = name.scalar();
  if (r.name.empty()) name.fail("a region needs a name");
  if (r.name.size() > kMaxRegionNameBytes) {
    name.fail(
        fmt::format("a region name is at most {} bytes (the result file stores it in a fixed-width "
                    "column), got {} bytes",
                    kMaxRegionNameBytes, r.name.size()));
  }
  r.share = v.at("share").as_real(between(1e-9, 1e9));
  r.download_bps = v.at("download").as_rate_bps(kAccessRate);
  r.upload_bps = v.at("upload").as_rate_bps(kAccessRate);
  return r;
}

void read_latency(const YamlValue& v, NetworkSpec& net, bool regions_from_preset, const std::string& preset) {
  v.expect_keys({"matrix_ms", "uniform", "model"});
  const std::size_t n = net.regions.size();
  const auto matrix = v.get("matrix_ms");
  const auto uniform = v.get("uniform");
  if (matrix && uniform) v.fail("give either matrix_ms or uniform, not both");
  if (matrix) {
    const auto rows = matrix->items();
    if (rows.size() != n)
      matrix->fail(fmt::format("expected {} rows (one per region), got {}", n, rows.size()));
    net.latency_s.assign(n, std::vector<double>(n, 0));
    for (std::size_t i = 0; i < n; ++i) {
      const auto cols = rows[i].items();
      if (cols.size() != n)
        rows[i].fail(fmt::format("expected {} columns (one per region), got {}", n, cols.size()));
      for (std::size_t j = 0; j < n; ++j) net.latency_s[i][j] = cols[j].as_real(between(0, 1e6)) / 1000.0;
    }
  } else if (uniform) {
    const double s = uniform->as_duration_s(between(0, 1e3));
    net.latency_s.assign(n, std::vector<double>(n, s));
  } else if (!regions_from_preset) {
    v.fail("give matrix_ms or uniform: the regions are not the preset's" +
           (preset.empty() ? std::string() : " ('" + preset + "')"));
  }
  if (const auto model = v.get("model")) {
    net.latency_model = enum_of<LatencyModel>(kLatencyModelNames, model->as_choice(kLatencyModelNames));
  }
}

void read_topology(const YamlValue& v, NetworkSpec& net, Scenario& sc) {
  v.expect_keys({"model", "outbound", "outbound_cdf", "max_inbound"});
  for (const auto& [key, value] : v.entries()) sc.locations[value.path()] = value.where();
  if (const auto m = v.get("model")) net.topology.model = m->as_choice(kTopologyModels);
  const auto fixed = v.get("outbound");
  const auto cdf = v.get("outbound_cdf");
  if (fixed && cdf) v.fail("give either outbound (a fixed degree) or outbound_cdf, not both");
  if (fixed) {
    const auto d = static_cast<std::size_t>(fixed->as_int(between(1, 10000)));
    net.topology.outbound_degree_cdf.assign(d, 0.0);
    net.topology.outbound_degree_cdf.back() = 1.0;
  }
  if (cdf) net.topology.outbound_degree_cdf = read_cdf(*cdf);
  if (const auto in = v.get("max_inbound")) {
    net.topology.max_inbound = static_cast<std::uint32_t>(in->as_int(between(1, 1e6)));
  }
}

const std::vector<std::string> kDelayLaws{"fixed", "exponential"};

// The textbook model of selfish-mining, double-spending and stale-rate analyses: a node sends each
// block straight to every other node, and every message arrives `delay` after it is sent (fixed,
// or exponential with that mean), with no bandwidth model; 0 by default: at the instant it is sent.
NetworkSpec idealised_network(const YamlValue& v) {
  v.expect_keys({"idealised", "nodes", "delay", "delay_law"});
  NetworkSpec net;
  net.idealised = true;
  net.nodes = static_cast<std::uint32_t>(v.at("nodes").as_int(between(1, kMaxCompleteNodes)));
  if (const auto d = v.get("delay")) net.delay_s = d->as_duration_s(between(0, 1e9));
  if (const auto l = v.get("delay_law"))
    net.delay_law = enum_of<DelayLaw>(kDelayLaws, l->as_choice(kDelayLaws));
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
  const std::string from = source ? "the outbound degree"
                           : net.preset.empty()
                               ? "the default outbound degree (8)"
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
  v.expect_keys({"outbound", "block_relay_only", "max_inbound", "new_buckets", "tried_buckets", "bucket_size",
                 "initial_new", "initial_tried", "getaddr_addresses", "relay_hops", "anchors", "feelers",
                 "feeler_interval", "test_before_evict", "retry"});
  PeerSpec& p = net.peers;
  p.enabled = true;
  auto count = [&v](const char* key, std::uint32_t& out, double lo, double hi) {
    if (const auto x = v.get(key)) out = static_cast<std::uint32_t>(x->as_int(between(lo, hi)));
  };
  count("outbound", p.outbound, 1, 1000);
  count("block_relay_only", p.block_relay_only, 0, 1000);
  count("max_inbound", p.max_inbound, 1, 1e6);
  count("new_buckets", p.new_buckets, 1, 1 << 16);
  count("tried_buckets", p.tried_buckets, 1, 1 << 16);
  count("bucket_size", p.bucket_size, 1, 1 << 10);
  count("initial_new", p.initial_new, 0, kMaxNodes);
  count("initial_tried", p.initial_tried, 0, kMaxNodes);
  count("getaddr_addresses", p.getaddr_addresses, 0, 1000);
  count("relay_hops", p.relay_hops, 0, 100);
  if (const auto a = v.get("anchors")) {
    p.anchors = a->as_bool();
    // Anchors are the block-relay-only peers kept over a restart (Bitcoin Core 0.21's anchors.dat).
    if (p.anchors && p.block_relay_only == 0)
      sc.warnings.push_back(ScenarioWarning{
          a->where(), a->path(),
          "has no effect with block_relay_only: 0 (anchors are the block-relay-only connections kept over a "
          "restart)"});
  }
  if (const auto f = v.get("feelers")) p.feelers = f->as_bool();
  if (const auto f = v.get("feeler_interval")) {
    p.feeler_interval_s = f->as_duration_s(at_least(1));
    if (!p.feelers)
      sc.warnings.push_back(ScenarioWarning{f->where(), f->path(), "has no effect with feelers: false"});
  }
  if (const auto t = v.get("test_before_evict")) p.test_before_evict = t->as_bool();
  if (const auto r = v.get("retry")) p.retry_s = r->as_duration_s(at_least(1));
  if (net.topology.model == "complete")
    v.fail("network.peers needs a random peer graph (topology.model: random)");
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
}

// network.internet: AS and prefix placement; keys not given keep the preset's values.
void read_internet(const YamlValue& v, NetworkSpec& net, Scenario& sc) {
  sc.locations["network.internet"] = v.where();
  v.expect_keys({"ases", "as_exponent", "prefix_share"});
  InternetSpec& in = net.internet;
  if (const auto a = v.get("ases")) in.ases = static_cast<std::uint32_t>(a->as_int(between(1, kMaxNodes)));
  if (in.ases == 0) v.fail("missing required key 'ases': the network's preset has no Internet placement");
  if (const auto e = v.get("as_exponent")) in.as_exponent = e->as_real(between(0, 10));
  if (const auto p = v.get("prefix_share")) in.prefix_share = p->as_real(Range{0, 1, true, false});
}

NetworkSpec read_network(const YamlValue& v, const Catalog& catalog, Scenario& sc) {
  sc.locations["network"] = v.where();
  if (const auto ideal = v.get("idealised"); ideal && ideal->as_bool()) return idealised_network(v);
  v.expect_keys({"idealised", "preset", "nodes", "regions", "latency", "topology", "contention",
                 "flow_threshold", "internet", "churn", "peers"});
  NetworkSpec net;
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
  net.nodes = static_cast<std::uint32_t>(v.at("nodes").as_int(between(1, kMaxNodes)));
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
  if (const auto c = v.get("contention")) {
    net.contention = enum_of<Contention>(kContentionNames, c->as_choice(kContentionNames));
  }
  if (const auto f = v.get("flow_threshold")) net.flow_threshold_bytes = f->as_size_bytes(at_least(0));
  if (const auto i = v.get("internet")) read_internet(*i, net, sc);
  if (const auto c = v.get("churn")) {
    sc.locations["network.churn"] = c->where();
    c->expect_keys({"fraction", "session", "downtime"});
    net.churn.fraction = c->at("fraction").as_real(Range{0, 1, true, false});
    net.churn.session_s = c->at("session").as_duration_s(greater_than(0));
    net.churn.downtime_s = c->at("downtime").as_duration_s(greater_than(0));
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
  p.distribution =
      enum_of<PowerDistribution>(kPowerDistributions, v.at("distribution").as_choice(kPowerDistributions));
  switch (p.distribution) {
    case PowerDistribution::equal:
      v.expect_keys({"distribution"});
      break;
    case PowerDistribution::normal:
      v.expect_keys({"distribution", "mean", "stddev"});
      p.mean = v.at("mean").as_real(greater_than(0));
      p.stddev = v.at("stddev").as_real(at_least(0));
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
      v.expect_keys({"distribution", "shares", "others"});
      const YamlValue shares = v.at("shares");
      for (const YamlValue& s : shares.items()) p.shares.push_back(s.as_real(between(0, 1)));
      if (p.shares.empty()) shares.fail("at least one share is needed");
      if (p.shares.size() > nodes) shares.fail(fmt::format("{} shares for {} nodes", p.shares.size(), nodes));
      if (const auto o = v.get("others")) p.others_equal = o->as_choice(kPowerOthers) == kPowerOthers[1];
      const double sum = std::accumulate(p.shares.begin(), p.shares.end(), 0.0);
      if (sum > 1 + kShareTolerance) shares.fail(fmt::format("shares sum to {}, more than 1", sum));
      const bool rest_zero = !p.others_equal || p.shares.size() == nodes;
      if (rest_zero && std::fabs(sum - 1) > kShareTolerance) {
        shares.fail(fmt::format("shares sum to {}; they must sum to 1 when the other nodes get zero", sum));
      }
      break;
    }
    case PowerDistribution::pools: {
      v.expect_keys(
          {"distribution", "pools", "pool_names", "gateways", "pool_ases", "gateway_peers", "others"});
      const auto pools = v.get("pools");
      if (pools) {
        for (const YamlValue& s : pools->items()) p.pools.push_back(s.as_real(Range{0, 1, true, false}));
        if (p.pools.empty()) pools->fail("at least one pool is needed");
      } else if (net.preset_pools.empty()) {
        v.fail(fmt::format("missing required key 'pools': {} no measured pool table",
                           net.preset.empty() ? std::string("the network has")
                                              : fmt::format("preset '{}' has", net.preset)));
      } else {
        // The preset's measured table; what it leaves out goes to solo miners unless told otherwise.
        for (const MiningPool& m : net.preset_pools) {
          p.pools.push_back(m.share);
          p.pool_names.push_back(m.name);
        }
        p.others_equal = true;
      }
      if (const auto names = v.get("pool_names")) {
        p.pool_names.clear();
        for (const YamlValue& n : names->items()) {
          p.pool_names.push_back(n.scalar());
          if (p.pool_names.back().empty() || p.pool_names.back().size() > kMaxPoolNameBytes)
            n.fail(fmt::format("a pool name has 1 to {} bytes (a fixed-width column in the result file)",
                               kMaxPoolNameBytes));
        }
        if (p.pool_names.size() != p.pools.size())
          names->fail(fmt::format("{} names for {} pools", p.pool_names.size(), p.pools.size()));
      }
      const YamlValue& where = pools ? *pools : v;
      if (const auto g = v.get("gateways"))
        p.gateways = static_cast<std::uint32_t>(g->as_int(between(1, 1000)));
      if (const auto a = v.get("pool_ases")) {
        p.pool_ases = static_cast<std::uint32_t>(a->as_int(between(0, kMaxNodes)));
        if (p.pool_ases > 0 && net.internet.ases == 0)
          a->fail(
              "pool_ases places gateways by AS: the network needs an Internet placement (network.internet)");
        if (p.pool_ases > net.internet.ases)
          a->fail(fmt::format("the network has {} ASes", net.internet.ases));
      }
      if (const auto e = v.get("gateway_peers"))
        p.gateway_peers = static_cast<std::uint32_t>(e->as_int(between(0, 100000)));
      if (const auto o = v.get("others")) p.others_equal = o->as_choice(kPowerOthers) == kPowerOthers[1];
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
  v.expect_keys(kSelectors);
  const auto entries = v.entries();
  if (entries.size() != 1) v.fail(fmt::format("give exactly one of: {}", fmt::join(kSelectors, ", ")));
  const auto& [by, value] = entries.front();
  NodeSelection s;
  s.by = enum_of<SelectBy>(kSelectors, by);
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
  v.expect_keys({"attack", "enabled", "nodes", "start", "end", "params"});
  AttackSpec a;
  if (const auto e = v.get("enabled")) a.enabled = e->as_bool();
  std::vector<std::string> names;
  for (const auto& e : catalog.attacks.entries()) names.push_back(e.name);
  const YamlValue name = v.at("attack");
  if (names.empty()) name.fail(fmt::format("unknown attack '{}': no attack is registered", name.scalar()));
  a.name = name.as_choice(names);
  const AttackInfo& info = catalog.attacks.get(a.name);
  if (!info.protocols.empty() &&
      std::find(info.protocols.begin(), info.protocols.end(), protocol) == info.protocols.end()) {
    name.fail(fmt::format("attack '{}' works on protocols {}, not on '{}'", a.name,
                          fmt::join(info.protocols, ", "), protocol));
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
  if (const auto s = v.get("start")) a.start_s = s->as_duration_s(at_least(0));
  if (const auto e = v.get("end")) a.end_s = e->as_duration_s(at_least(0));
  if (a.end_s <= a.start_s) v.at("end").fail("the attack must end after it starts");
  if (const auto p = v.get("params")) {
    a.params = p->as_params(info.params);
    warn_inert_params(*p, info.params, a.params, sc);
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

StopSpec read_stop(const YamlValue& v) {
  v.expect_keys({"time", "blocks", "drain"});
  StopSpec s;
  if (const auto t = v.get("time")) s.time_s = t->as_duration_s(greater_than(0));
  if (const auto b = v.get("blocks")) s.blocks = static_cast<std::uint64_t>(b->as_int(between(1, 1e12)));
  if (const auto d = v.get("drain")) s.drain_s = d->as_duration_s(at_least(0));
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
  root.expect_keys({"general", "network", "consensus", "attacks", "output", "extends"});

  const YamlValue general = root.at("general");
  general.expect_keys({"seed", "stop"});
  if (const auto s = general.get("seed")) sc.seed = s->as_uint64();
  sc.stop = read_stop(general.at("stop"));

  sc.network = read_network(root.at("network"), catalog, sc);

  const YamlValue consensus = root.at("consensus");
  consensus.expect_keys({"protocol", "params", "power"});
  std::vector<std::string> protocols;
  for (const auto& e : catalog.protocols.entries()) protocols.push_back(e.name);
  sc.consensus.protocol = consensus.at("protocol").as_choice(protocols);
  const ProtocolInfo& protocol = catalog.protocols.get(sc.consensus.protocol);
  if (const auto p = consensus.get("params")) {
    sc.consensus.params = p->as_params(protocol.params);
    warn_inert_params(*p, protocol.params, sc.consensus.params, sc);
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
    out->expect_keys({"path", "record"});
    if (const auto p = out->get("path")) {
      sc.output.path = p->scalar();
      sc.output.path_given = true;
      sc.locations["output.path"] = p->where();
    }
    if (const auto r = out->get("record")) {
      sc.output.record.clear();
      for (const YamlValue& t : r->items()) sc.output.record.insert(t.as_choice(tables));
    }
  }
  sc.effective_yaml = YAML::Dump(doc);
  return sc;
}

}  // namespace dltsim
