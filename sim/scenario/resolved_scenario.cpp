#include "sim/scenario/resolved_scenario.hpp"

#include <cmath>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "sim/core/units.hpp"

namespace dltsim {

namespace {

// Numbers round-trip exactly (shortest representation), quantities keep their unit.
std::string exact(double v) {
  return fmt::format("{}", v);
}
std::string seconds(double v) {
  return exact(v) + " s";
}
std::string bytes(double v) {
  return exact(v) + " B";
}
std::string rate(double v) {
  return std::isinf(v) ? std::string("unlimited") : exact(v) + " bit/s";
}

void params(YAML::Emitter& out, const std::vector<ParamSpec>& specs, const ParamValues& values) {
  out << YAML::Key << "params" << YAML::Value << YAML::BeginMap;
  for (const ParamSpec& s : specs) out << YAML::Key << s.name << YAML::Value << values.text(s.name);
  out << YAML::EndMap;
}

const char* law_name(DelayLaw law) {
  return law == DelayLaw::fixed ? "fixed" : "exponential";
}

}  // namespace

std::string resolved_scenario_yaml(const Scenario& sc, const Catalog& catalog) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "general" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "seed" << YAML::Value << sc.seed;
  out << YAML::Key << "stop" << YAML::Value << YAML::BeginMap;
  if (sc.stop.blocks) out << YAML::Key << "blocks" << YAML::Value << *sc.stop.blocks;
  if (sc.stop.time_s) out << YAML::Key << "time" << YAML::Value << seconds(*sc.stop.time_s);
  out << YAML::Key << "drain" << YAML::Value << seconds(sc.stop.drain_s);
  out << YAML::EndMap << YAML::EndMap;

  const NetworkSpec& net = sc.network;
  out << YAML::Key << "network" << YAML::Value << YAML::BeginMap;
  if (net.idealised) {
    out << YAML::Key << "idealised" << YAML::Value << true;
    out << YAML::Key << "nodes" << YAML::Value << net.nodes;
    out << YAML::Key << "delay" << YAML::Value << seconds(net.delay_s);
    out << YAML::Key << "delay_law" << YAML::Value << law_name(net.delay_law);
  } else {
    out << YAML::Key << "nodes" << YAML::Value << net.nodes;
    out << YAML::Key << "regions" << YAML::Value << YAML::BeginSeq;
    for (const RegionSpec& r : net.regions) {
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << r.name << YAML::Key
          << "share" << YAML::Value << exact(r.share) << YAML::Key << "download" << YAML::Value
          << rate(r.download_bps) << YAML::Key << "upload" << YAML::Value << rate(r.upload_bps)
          << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::Key << "latency" << YAML::Value << YAML::BeginMap << YAML::Key << "matrix_ms" << YAML::Value
        << YAML::BeginSeq;
    for (const auto& row : net.latency_s) {
      out << YAML::Flow << YAML::BeginSeq;
      for (double l : row) out << exact(l * 1e3);
      out << YAML::EndSeq;
    }
    out << YAML::EndSeq << YAML::Key << "model" << YAML::Value
        << (net.latency_model == LatencyModel::fixed ? "fixed" : "pareto") << YAML::EndMap;
    out << YAML::Key << "topology" << YAML::Value << YAML::BeginMap << YAML::Key << "model" << YAML::Value
        << net.topology.model;
    if (net.topology.model == "random" && !net.peers.enabled) {  // else network.peers sets them
      out << YAML::Key << "outbound_cdf" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (double p : net.topology.outbound_degree_cdf) out << exact(p);
      out << YAML::EndSeq << YAML::Key << "max_inbound" << YAML::Value << net.topology.max_inbound;
    }
    out << YAML::EndMap;
    static const char* contention[] = {"none", "upload", "upload_download"};
    out << YAML::Key << "contention" << YAML::Value << contention[static_cast<int>(net.contention)];
    out << YAML::Key << "flow_threshold" << YAML::Value << bytes(net.flow_threshold_bytes);
    if (net.churn.fraction > 0) {
      out << YAML::Key << "churn" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "fraction"
          << YAML::Value << exact(net.churn.fraction) << YAML::Key << "session" << YAML::Value
          << seconds(net.churn.session_s) << YAML::Key << "downtime" << YAML::Value
          << seconds(net.churn.downtime_s) << YAML::EndMap;
    }
    if (net.peers.enabled) {
      const PeerSpec& pe = net.peers;
      out << YAML::Key << "peers" << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "outbound" << YAML::Value << pe.outbound;
      out << YAML::Key << "block_relay_only" << YAML::Value << pe.block_relay_only;
      out << YAML::Key << "max_inbound" << YAML::Value << pe.max_inbound;
      out << YAML::Key << "new_buckets" << YAML::Value << pe.new_buckets;
      out << YAML::Key << "tried_buckets" << YAML::Value << pe.tried_buckets;
      out << YAML::Key << "bucket_size" << YAML::Value << pe.bucket_size;
      out << YAML::Key << "initial_new" << YAML::Value << pe.initial_new;
      out << YAML::Key << "initial_tried" << YAML::Value << pe.initial_tried;
      out << YAML::Key << "getaddr_addresses" << YAML::Value << pe.getaddr_addresses;
      out << YAML::Key << "relay_hops" << YAML::Value << pe.relay_hops;
      out << YAML::Key << "anchors" << YAML::Value << pe.anchors;
      out << YAML::Key << "feelers" << YAML::Value << pe.feelers;
      out << YAML::Key << "feeler_interval" << YAML::Value << seconds(pe.feeler_interval_s);
      out << YAML::Key << "test_before_evict" << YAML::Value << pe.test_before_evict;
      out << YAML::Key << "retry" << YAML::Value << seconds(pe.retry_s);
      out << YAML::EndMap;
    }
    if (net.internet.ases > 0) {
      out << YAML::Key << "internet" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "ases"
          << YAML::Value << net.internet.ases << YAML::Key << "as_exponent" << YAML::Value
          << exact(net.internet.as_exponent) << YAML::Key << "prefix_share" << YAML::Value
          << exact(net.internet.prefix_share) << YAML::EndMap;
    }
  }
  out << YAML::EndMap;

  out << YAML::Key << "consensus" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "protocol" << YAML::Value << sc.consensus.protocol;
  params(out, catalog.protocols.get(sc.consensus.protocol).params, sc.consensus.params);
  const PowerSpec& p = sc.consensus.power;
  out << YAML::Key << "power" << YAML::Value << YAML::BeginMap;
  switch (p.distribution) {
    case PowerDistribution::equal:
      out << YAML::Key << "distribution" << YAML::Value << "equal";
      break;
    case PowerDistribution::normal:
      out << YAML::Key << "distribution" << YAML::Value << "normal" << YAML::Key << "mean" << YAML::Value
          << exact(p.mean) << YAML::Key << "stddev" << YAML::Value << exact(p.stddev);
      break;
    case PowerDistribution::shares:
      out << YAML::Key << "distribution" << YAML::Value << "shares" << YAML::Key << "shares" << YAML::Value
          << YAML::Flow << YAML::BeginSeq;
      for (double s : p.shares) out << exact(s);
      out << YAML::EndSeq << YAML::Key << "others" << YAML::Value << (p.others_equal ? "equal" : "zero");
      break;
    case PowerDistribution::pools:
      out << YAML::Key << "distribution" << YAML::Value << "pools" << YAML::Key << "pools" << YAML::Value
          << YAML::Flow << YAML::BeginSeq;
      for (double s : p.pools) out << exact(s);
      out << YAML::EndSeq;
      if (!p.pool_names.empty()) {
        out << YAML::Key << "pool_names" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const std::string& n : p.pool_names) out << n;
        out << YAML::EndSeq;
      }
      out << YAML::Key << "gateways" << YAML::Value << p.gateways << YAML::Key << "pool_ases" << YAML::Value
          << p.pool_ases << YAML::Key << "gateway_peers" << YAML::Value << p.gateway_peers << YAML::Key
          << "others" << YAML::Value << (p.others_equal ? "equal" : "zero");
      break;
  }
  out << YAML::EndMap << YAML::EndMap;

  if (!sc.attacks.empty()) {
    out << YAML::Key << "attacks" << YAML::Value << YAML::BeginSeq;
    for (const AttackSpec& a : sc.attacks) {
      out << YAML::BeginMap << YAML::Key << "attack" << YAML::Value << a.name;
      // Written only when off, so that the resolved scenarios (and study run keys) of existing files stay as
      // they were.
      if (!a.enabled) out << YAML::Key << "enabled" << YAML::Value << false;
      out << YAML::Key << "nodes" << YAML::Value << YAML::Flow << YAML::BeginMap;
      switch (a.nodes.by) {
        case SelectBy::count:
          out << YAML::Key << "count" << YAML::Value << static_cast<std::uint64_t>(a.nodes.amount);
          break;
        case SelectBy::fraction:
          out << YAML::Key << "fraction" << YAML::Value << exact(a.nodes.amount);
          break;
        case SelectBy::power_share:
          out << YAML::Key << "power_share" << YAML::Value << exact(a.nodes.amount);
          break;
        case SelectBy::region:
          out << YAML::Key << "region" << YAML::Value << a.nodes.region;
          break;
        case SelectBy::ids:
          out << YAML::Key << "ids" << YAML::Value << YAML::Flow << a.nodes.ids;
          break;
        case SelectBy::ases:
          out << YAML::Key << "ases" << YAML::Value << YAML::Flow << a.nodes.ases;
          break;
        case SelectBy::top_ases:
          out << YAML::Key << "top_ases" << YAML::Value << static_cast<std::uint64_t>(a.nodes.amount);
          break;
        case SelectBy::top_degree:
          out << YAML::Key << "top_degree" << YAML::Value << static_cast<std::uint64_t>(a.nodes.amount);
          break;
        case SelectBy::top_power:
          out << YAML::Key << "top_power" << YAML::Value << static_cast<std::uint64_t>(a.nodes.amount);
          break;
        case SelectBy::top_prefixes:
          out << YAML::Key << "top_prefixes" << YAML::Value << static_cast<std::uint64_t>(a.nodes.amount);
          break;
      }
      out << YAML::EndMap;
      out << YAML::Key << "start" << YAML::Value << seconds(a.start_s);
      if (std::isfinite(a.end_s)) out << YAML::Key << "end" << YAML::Value << seconds(a.end_s);
      params(out, catalog.attacks.get(a.name).params, a.params);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::Key << "output" << YAML::Value << YAML::BeginMap << YAML::Key << "record" << YAML::Value
      << YAML::Flow << YAML::BeginSeq;
  for (const std::string& t : sc.output.record) out << t;
  out << YAML::EndSeq << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace dltsim
