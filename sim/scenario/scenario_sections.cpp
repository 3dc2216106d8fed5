#include "sim/scenario/scenario_sections.hpp"

#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

namespace dltsim {

namespace {

// Access rates: at least 1 bit/s (below that a block takes longer than any run), or "unlimited".
const Range kAccessRate = at_least_or_unlimited(1);

const EnumNames<bool>& others_names() {
  static const EnumNames<bool> names{{false, "zero"}, {true, "equal"}};
  return names;
}

// A flow sequence of exact numbers, as the resolved scenario writes lists.
void emit_numbers(YAML::Emitter& out, const std::vector<double>& xs, double scale = 1) {
  out << YAML::Flow << YAML::BeginSeq;
  for (double x : xs) out << exact_text(x * scale);
  out << YAML::EndSeq;
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

Section<Scenario> make_root() {
  Field<Scenario> extends = field::structured<Scenario>(
      "extends", ParamType::text,
      "a base scenario file (relative to this one) whose keys this file inherits and may override",
      [](const YamlValue&, Scenario&) {},  // resolved before reading (scenario_loader.cpp)
      [](YAML::Emitter&, const Scenario&) {}, [](const Scenario&) { return false; });
  return {"scenario",
          "a scenario file's top level",
          {field::required(field::subsection<Scenario>("general", "seed and stop condition (general)")),
           field::required(field::subsection<Scenario>("network", "the network (network)")),
           field::required(field::subsection<Scenario>("consensus", "the protocol (consensus)")),
           field::subsection<Scenario>("transactions", "wallets, relay and mempools (transactions)"),
           field::subsection<Scenario>("attacks", "a list of attacks (attacks[])"),
           field::subsection<Scenario>("output", "where results go (output)"), extends}};
}

Section<Scenario> make_general() {
  Section<Scenario> s{"general", "the seed and when the run ends", {}};
  Field<Scenario> seed = field::structured<Scenario>(
      "seed", ParamType::integer, "master seed: every random draw of the run derives from it",
      [](const YamlValue& v, Scenario& sc) { sc.seed = v.as_uint64(); },
      [](YAML::Emitter& out, const Scenario& sc) { out << sc.seed; });
  seed.spec.range = between(0, 18446744073709551615.0);
  seed.text = [](const Scenario& sc) { return fmt::format("{}", sc.seed); };
  s.fields = {seed, field::required(field::subsection<Scenario>("stop", "when the run ends (general.stop)"))};
  return s;
}

Section<StopSpec> make_stop() {
  return {
      "general.stop",
      "when the run ends: after a simulated time, a number of blocks, or whichever comes first",
      {field::optional_count<StopSpec>("blocks", &StopSpec::blocks, between(1, 1e12),
                                       "stop producing after this many blocks"),
       field::optional_duration<StopSpec>("time", &StopSpec::time_s, greater_than(0), "simulated-time limit"),
       field::duration<StopSpec>("drain", &StopSpec::drain_s, at_least(0),
                                 "after production stops, time left for messages in flight")}};
}

Section<NetworkSpec> make_idealised() {
  Field<NetworkSpec> idealised =
      field::flag<NetworkSpec>("idealised", &NetworkSpec::idealised,
                               "true: every node reaches every other directly, no bandwidth model");
  return {"network (idealised: true)",
          "the textbook model of selfish-mining and double-spending analyses: a node sends each block "
          "straight to "
          "every other node, each message arrives `delay` after it is sent",
          {idealised,
           field::required(field::count<NetworkSpec>(
               "nodes", &NetworkSpec::nodes, between(1, kMaxCompleteNodes), "number of ledger nodes")),
           field::duration<NetworkSpec>("delay", &NetworkSpec::delay_s, between(0, 1e9),
                                        "delay of every message (the mean, with delay_law: exponential)"),
           field::choice<NetworkSpec>("delay_law", &NetworkSpec::delay_law, delay_law_names(),
                                      "fixed, or exponential with mean delay")}};
}

Section<NetworkSpec> make_network() {
  // Read by the loader before the section (they set defaults for the rest); never written, since the
  // resolved scenario spells out what they set.
  auto never = [](const NetworkSpec&) { return false; };
  auto nothing = [](const YamlValue&, NetworkSpec&) {};
  auto no_emit = [](YAML::Emitter&, const NetworkSpec&) {};
  return {"network",
          "nodes, regions, latencies, bandwidths and peers of a measured or described network",
          {field::structured<NetworkSpec>("idealised", ParamType::boolean,
                                          "true: the textbook model (network (idealised: true))", nothing,
                                          no_emit, never),
           field::structured<NetworkSpec>("preset", ParamType::text,
                                          "a network preset whose figures are the defaults (dltsim list)",
                                          nothing, no_emit, never),
           field::required(field::count<NetworkSpec>("nodes", &NetworkSpec::nodes, between(1, kMaxNodes),
                                                     "number of ledger nodes")),
           field::subsection<NetworkSpec>(
               "regions", "regions with node shares and access bandwidths (network.regions[])"),
           field::subsection<NetworkSpec>("latency", "one-way latency between regions (network.latency)"),
           field::subsection<NetworkSpec>("topology", "the peer graph (network.topology)"),
           field::choice<NetworkSpec>("contention", &NetworkSpec::contention, contention_names(),
                                      "bandwidth sharing between concurrent transfers"),
           field::size<NetworkSpec>(
               "flow_threshold", &NetworkSpec::flow_threshold_bytes, at_least(0),
               "messages at least this large go through SimGrid flows; smaller ones take latency "
               "plus size over the slower access rate"),
           field::subsection<NetworkSpec>("churn", "nodes leaving and rejoining (network.churn)"),
           field::subsection<NetworkSpec>("peers", "address tables and dynamic connections (network.peers)"),
           field::subsection<NetworkSpec>("internet", "AS and prefix placement (network.internet)")}};
}

Section<RegionSpec> make_region() {
  Field<RegionSpec> name = field::structured<RegionSpec>(
      "name", ParamType::text, fmt::format("short region name, 1 to {} bytes", kMaxRegionNameBytes),
      [](const YamlValue& v, RegionSpec& r) {
        r.name = v.scalar();
        if (r.name.empty()) v.fail("a region needs a name");
        if (r.name.size() > kMaxRegionNameBytes) {
          v.fail(
              fmt::format("a region name is at most {} bytes (the result file stores it in a fixed-width "
                          "column), got {} bytes",
                          kMaxRegionNameBytes, r.name.size()));
        }
      },
      [](YAML::Emitter& out, const RegionSpec& r) { out << r.name; });
  Section<RegionSpec> s{
      "network.regions[]",
      "one region: its share of the nodes and their access bandwidth",
      {field::required(name),
       field::required(field::real<RegionSpec>("share", &RegionSpec::share, between(1e-9, 1e9),
                                               "relative share of the nodes (shares are normalised)")),
       field::required(field::rate<RegionSpec>("download", &RegionSpec::download_bps, kAccessRate,
                                               "per-node access download rate")),
       field::required(field::rate<RegionSpec>("upload", &RegionSpec::upload_bps, kAccessRate,
                                               "per-node access upload rate"))}};
  s.flow = true;
  return s;
}

Section<NetworkSpec> make_latency() {
  Field<NetworkSpec> matrix = field::structured<NetworkSpec>(
      "matrix_ms", ParamType::list, "one-way latency in ms from each region (row) to each region (column)",
      [](const YamlValue& m, NetworkSpec& net) {
        const std::size_t n = net.regions.size();
        const auto rows = m.items();
        if (rows.size() != n)
          m.fail(fmt::format("expected {} rows (one per region), got {}", n, rows.size()));
        net.latency_s.assign(n, std::vector<double>(n, 0));
        for (std::size_t i = 0; i < n; ++i) {
          const auto cols = rows[i].items();
          if (cols.size() != n)
            rows[i].fail(fmt::format("expected {} columns (one per region), got {}", n, cols.size()));
          for (std::size_t j = 0; j < n; ++j) net.latency_s[i][j] = cols[j].as_real(between(0, 1e6)) / 1000.0;
        }
      },
      [](YAML::Emitter& out, const NetworkSpec& net) {
        out << YAML::BeginSeq;
        for (const auto& row : net.latency_s) emit_numbers(out, row, 1e3);
        out << YAML::EndSeq;
      });
  Field<NetworkSpec> uniform = field::structured<NetworkSpec>(
      "uniform", ParamType::duration, "one latency between every pair of regions (instead of matrix_ms)",
      [](const YamlValue& u, NetworkSpec& net) {
        const double s = u.as_duration_s(between(0, 1e3));
        net.latency_s.assign(net.regions.size(), std::vector<double>(net.regions.size(), s));
      },
      [](YAML::Emitter&, const NetworkSpec&) {}, [](const NetworkSpec&) { return false; });
  uniform.spec.range = between(0, 1e3);
  return {"network.latency",
          "one-way latency between regions: matrix_ms or uniform (a preset's table when neither is given)",
          {matrix, uniform,
           field::choice<NetworkSpec>(
               "model", &NetworkSpec::latency_model, latency_model_names(),
               "fixed: the table value; pareto: each connection draws once from a Pareto law "
               "with that mean")}};
}

Section<TopologySpec> make_topology() {
  static const EnumNames<int> models{{0, "random"}, {1, "complete"}, {2, "tree"}};
  Field<TopologySpec> model = field::structured<TopologySpec>(
      "model", ParamType::choice,
      "random: each node opens outbound connections to random peers; complete: all pairs; tree: a "
      "regular tree of degree `outbound` from node 0 (for the closed forms of docs/privacy.md)",
      [](const YamlValue& v, TopologySpec& t) { t.model = v.as_choice(models.names()); },
      [](YAML::Emitter& out, const TopologySpec& t) { out << t.model; });
  model.spec.choices = models.names();
  model.text = [](const TopologySpec& t) { return t.model; };
  auto writes_degrees = [](const TopologySpec& t) { return t.model == "random" && !t.degrees_from_peers; };
  auto writes_cdf = [](const TopologySpec& t) {
    return t.model == "tree" || (t.model == "random" && !t.degrees_from_peers);
  };
  Field<TopologySpec> outbound = field::structured<TopologySpec>(
      "outbound", ParamType::integer, "a fixed outbound degree (instead of outbound_cdf)",
      [](const YamlValue& v, TopologySpec& t) {
        const auto d = static_cast<std::size_t>(v.as_int(between(1, 10000)));
        t.outbound_degree_cdf.assign(d, 0.0);
        t.outbound_degree_cdf.back() = 1.0;
      },
      [](YAML::Emitter&, const TopologySpec&) {}, [](const TopologySpec&) { return false; });
  outbound.spec.range = between(1, 10000);
  Field<TopologySpec> cdf = field::structured<TopologySpec>(
      "outbound_cdf", ParamType::list, "P(outbound degree <= k), k = 1, 2, ...; non-decreasing, ends at 1",
      [](const YamlValue& v, TopologySpec& t) { t.outbound_degree_cdf = read_cdf(v); },
      [](YAML::Emitter& out, const TopologySpec& t) { emit_numbers(out, t.outbound_degree_cdf); },
      writes_cdf);
  Field<TopologySpec> inbound = field::count<TopologySpec>(
      "max_inbound", &TopologySpec::max_inbound, between(1, 1e6), "inbound connections a node accepts");
  inbound.present = writes_degrees;
  return {"network.topology", "the peer graph at the start of the run", {model, outbound, cdf, inbound}};
}

Section<ChurnSpec> make_churn() {
  Section<ChurnSpec> s{
      "network.churn",
      "a share of the nodes alternate online sessions and offline times drawn from exponential laws",
      {field::required(field::share<ChurnSpec>("fraction", &ChurnSpec::fraction, Range{0, 1, true, false},
                                               "share of the nodes that churn")),
       field::required(
           field::duration<ChurnSpec>("session", &ChurnSpec::session_s, greater_than(0), "mean time online")),
       field::required(field::duration<ChurnSpec>("downtime", &ChurnSpec::downtime_s, greater_than(0),
                                                  "mean time offline"))}};
  s.flow = true;
  return s;
}

Section<PeerSpec> make_peers() {
  using P = PeerSpec;
  return {
      "network.peers",
      "peer management after Bitcoin Core's address manager, scaled down (docs/peers.md)",
      {field::count<P>("outbound", &P::outbound, between(1, 1000), "full-relay outbound connections"),
       field::count<P>("block_relay_only", &P::block_relay_only, between(0, 1000),
                       "block-relay-only outbound connections (no address gossip)"),
       field::count<P>("max_inbound", &P::max_inbound, between(1, 1e6),
                       "inbound cap (Core: 125 connections less 10 outbound)"),
       field::count<P>("new_buckets", &P::new_buckets, between(1, 1 << 16),
                       "buckets of the \"new\" table (Core: 1,024)"),
       field::count<P>("tried_buckets", &P::tried_buckets, between(1, 1 << 16),
                       "buckets of the \"tried\" table (Core: 256)"),
       field::count<P>("bucket_size", &P::bucket_size, between(1, 1 << 10), "slots per bucket (Core: 64)"),
       field::count<P>("initial_new", &P::initial_new, between(0, kMaxNodes),
                       "random addresses in \"new\" at the start"),
       field::count<P>("initial_tried", &P::initial_tried, between(0, kMaxNodes),
                       "random addresses in \"tried\" at the start, besides the node's peers"),
       field::count<P>("getaddr_addresses", &P::getaddr_addresses, between(0, 1000),
                       "addresses in the reply to a new connection's getaddr"),
       field::count<P>("relay_hops", &P::relay_hops, between(0, 100),
                       "hops a self-announcement is relayed (to 2 peers each)"),
       field::flag<P>("anchors", &P::anchors, "reconnect to the block-relay-only peers after a restart"),
       field::flag<P>("feelers", &P::feelers,
                      "test \"new\" addresses periodically, moving live ones to \"tried\""),
       field::duration<P>("feeler_interval", &P::feeler_interval_s, at_least(1), "time between feelers"),
       field::flag<P>("test_before_evict", &P::test_before_evict,
                      "a \"tried\" entry is evicted only if it does not answer"),
       field::duration<P>("retry", &P::retry_s, at_least(1),
                          "wait before trying again to fill outbound slots"),
       field::choice<P>(
           "groups", &P::groups, peer_groups_names(),
           "what an address's network group is, for table buckets and distinct_groups: its "
           "prefix (Core's /16), or its AS (Core's -asmap, since 0.20); as needs network.internet"),
       field::flag<P>("distinct_groups", &P::distinct_groups,
                      "outbound connections skip an address whose group already has an outbound peer "
                      "(Core does; off by default to keep earlier results)")}};
}

Section<InternetSpec> make_internet() {
  Section<InternetSpec> s{
      "network.internet",
      "where nodes sit in the Internet: AS sizes follow a Zipf law; prefixes hold at most prefix_share of "
      "the nodes",
      {field::count<InternetSpec>("ases", &InternetSpec::ases, between(1, kMaxNodes),
                                  "ASes hosting nodes (required unless the preset has a placement)"),
       field::real<InternetSpec>("as_exponent", &InternetSpec::as_exponent, between(0, 10),
                                 "Zipf exponent of AS sizes"),
       field::share<InternetSpec>("prefix_share", &InternetSpec::prefix_share, Range{0, 1, true, false},
                                  "largest share of all nodes one prefix holds")}};
  s.flow = true;
  return s;
}

Section<ConsensusSpec> make_consensus() {
  Field<ConsensusSpec> protocol = field::structured<ConsensusSpec>(
      "protocol", ParamType::text, "a registered protocol (dltsim list)",
      [](const YamlValue& v, ConsensusSpec& c) { c.protocol = v.scalar(); },
      [](YAML::Emitter& out, const ConsensusSpec& c) { out << c.protocol; });
  return {"consensus",
          "the consensus protocol, its parameters (dltsim describe PROTOCOL) and how power is spread",
          {field::required(protocol),
           field::subsection<ConsensusSpec>("params", "the protocol's parameters (dltsim describe PROTOCOL)"),
           field::subsection<ConsensusSpec>("power", "how consensus power is spread (consensus.power)")}};
}

Section<PowerSpec> make_power() {
  using P = PowerSpec;
  const std::vector<std::string> pools{"pools"};
  auto list_of = [](std::vector<double> P::*member, Range range) {
    return [member, range](const YamlValue& v, P& p) {
      (p.*member).clear();
      for (const YamlValue& s : v.items()) (p.*member).push_back(s.as_real(range));
    };
  };
  Field<P> shares =
      field::structured<P>("shares", ParamType::list, "shares of nodes 0, 1, ..., each in [0, 1]",
                           list_of(&P::shares, between(0, 1)),
                           [](YAML::Emitter& out, const P& p) { emit_numbers(out, p.shares); });
  Field<P> pool_shares = field::structured<P>(
      "pools", ParamType::list,
      "hashrate share of each pool, largest first (default: the preset's measured table)",
      list_of(&P::pools, Range{0, 1, true, false}),
      [](YAML::Emitter& out, const P& p) { emit_numbers(out, p.pools); });
  Field<P> names = field::structured<P>(
      "pool_names", ParamType::list, fmt::format("pool names, 1 to {} bytes each", kMaxPoolNameBytes),
      [](const YamlValue& v, P& p) {
        p.pool_names.clear();
        for (const YamlValue& n : v.items()) {
          p.pool_names.push_back(n.scalar());
          if (p.pool_names.back().empty() || p.pool_names.back().size() > kMaxPoolNameBytes)
            n.fail(fmt::format("a pool name has 1 to {} bytes (a fixed-width column in the result file)",
                               kMaxPoolNameBytes));
        }
      },
      [](YAML::Emitter& out, const P& p) {
        out << YAML::Flow << YAML::BeginSeq;
        for (const std::string& n : p.pool_names) out << n;
        out << YAML::EndSeq;
      },
      [](const P& p) { return !p.pool_names.empty(); });
  return {
      "consensus.power",
      "how consensus power (hashrate, stake) is spread over nodes; the keys allowed depend on the "
      "distribution",
      {field::required(
           field::choice<P>("distribution", &P::distribution, power_distribution_names(),
                            "the law: equal, normal (SimBlock's), explicit shares, or mining pools")),
       field::only_when(field::required(field::real<P>("mean", &P::mean, greater_than(0), "mean power")),
                        "distribution", {"normal"}),
       field::only_when(
           field::required(field::real<P>("stddev", &P::stddev, at_least(0), "standard deviation")),
           "distribution", {"normal"}),
       field::only_when(field::required(shares), "distribution", {"shares"}),
       field::only_when(pool_shares, "distribution", pools), field::only_when(names, "distribution", pools),
       field::only_when(field::count<P>("gateways", &P::gateways, between(1, 1000),
                                        "nodes per pool that hold its hashrate"),
                        "distribution", pools),
       field::only_when(field::count<P>("pool_ases", &P::pool_ases, between(0, kMaxNodes),
                                        "gateways sit in the largest this many ASes (0: anywhere)"),
                        "distribution", pools),
       field::only_when(field::count<P>("gateway_peers", &P::gateway_peers, between(0, 100000),
                                        "extra connections each gateway opens"),
                        "distribution", pools),
       field::only_when(field::choice<P>("others", &P::others_equal, others_names(),
                                         "what the nodes not listed get: zero, or equal parts of the rest"),
                        "distribution", {"shares", "pools"})}};
}

Section<TxSpec> make_transactions() {
  using T = TxSpec;
  auto when = [](Field<T> f, std::string key, std::vector<std::string> values) {
    return field::only_when(std::move(f), std::move(key), std::move(values));
  };
  Field<T> preset = field::structured<T>(
      "preset", ParamType::text,
      "measured figures whose values are the defaults (dltsim describe bitcoin-2019)",
      [](const YamlValue&, T&) {},  // applied by the loader before the other keys
      [](YAML::Emitter&, const T&) {}, [](const T&) { return false; });
  Field<T> shares = field::structured<T>(
      "origin_shares", ParamType::list, "shares of nodes 0, 1, ... (the other nodes split the rest equally)",
      [](const YamlValue& v, T& t) {
        t.origin_shares.clear();
        for (const YamlValue& x : v.items()) t.origin_shares.push_back(x.as_real(between(0, 1)));
      },
      [](YAML::Emitter& out, const T& t) { emit_numbers(out, t.origin_shares); });
  return {
      "transactions",
      "wallets that create transactions, Bitcoin Core's relay, mempools and what blocks hold "
      "(docs/transactions.md)",
      {preset,
       field::real<T>("tx_per_s", &T::tx_per_s, between(0, 1e6),
                      "transactions created per second, network-wide"),
       field::choice<T>("origin", &T::origin, origin_rule_names(),
                        "how creation is spread over the nodes' wallets"),
       when(field::required(shares), "origin", {"shares"}),
       when(field::real<T>("origin_exponent", &T::origin_exponent, between(0, 10),
                           "Zipf exponent over nodes in a seeded random order"),
            "origin", {"heavy_tailed"}),
       field::choice<T>("size_law", &T::size_law, quantity_law_names(), "law of transaction sizes"),
       field::size<T>("size", &T::size_bytes, between(60, 1e5), "median size (virtual bytes)"),
       when(field::real<T>("size_sigma", &T::size_sigma, between(0, 5), "sigma of ln(size)"), "size_law",
            {"lognormal"}),
       field::size<T>("max_size", &T::max_size_bytes, between(60, 4e6),
                      "sizes drawn above this are capped (Core's standard limit: 100,000 vB)"),
       field::choice<T>("fee_law", &T::fee_law, quantity_law_names(), "law of fee rates"),
       field::real<T>("fee_rate_sat_vb", &T::fee_rate_sat_vb, between(0, 1e7),
                      "median fee rate, satoshi per vbyte"),
       when(field::real<T>("fee_sigma", &T::fee_sigma, between(0, 5), "sigma of ln(fee rate)"), "fee_law",
            {"lognormal"}),
       field::subsection<T>("scripted",
                            "transactions written out, e.g. conflicting spends (transactions.scripted[])"),
       field::size<T>(
           "block_capacity", &T::block_capacity_bytes, between(1000, 1e9),
           "virtual bytes of transactions a block holds (Bitcoin: 4,000,000 weight = 1,000,000 vB)"),
       field::duration<T>(
           "template_refresh", &T::template_refresh_s, at_least(0),
           "a miner's block template is this old at most (a uniform age: pools send new jobs every "
           "30 s or so); newer transactions wait for the next block; 0: always current"),
       field::flag<T>(
           "overload", &T::overload,
           "allow a workload the blocks cannot carry on average (the backlog then grows without bound)"),
       field::choice<T>(
           "relay", &T::relay, tx_relay_mode_names(),
           "trickle (Bitcoin Core since 0.13) or diffusion (independent delay per peer, before)"),
       when(field::duration<T>("inbound_interval", &T::inbound_interval_s, greater_than(0),
                               "mean of the Poisson timer all inbound peers share (Core: 5 s)"),
            "relay", {"trickle"}),
       when(field::duration<T>("outbound_interval", &T::outbound_interval_s, greater_than(0),
                               "mean of each outbound peer's Poisson timer (Core: 2 s)"),
            "relay", {"trickle"}),
       when(field::count<T>(
                "inv_target", &T::inv_target, between(1, 50000),
                "announcements per trickle, plus 5 per 1,000 queued (Core since v27: 70; before: 35)"),
            "relay", {"trickle"}),
       when(field::count<T>("inv_max", &T::inv_max, between(1, 50000),
                            "most announcements per trickle (Core: 1,000)"),
            "relay", {"trickle"}),
       when(field::duration<T>("diffusion_delay", &T::diffusion_delay_s, greater_than(0),
                               "mean of each peer's exponential delay"),
            "relay", {"diffusion"}),
       field::duration<T>(
           "nonpreferred_delay", &T::nonpreferred_delay_s, at_least(0),
           "a transaction announced by an inbound peer is requested this much later (Core: 2 s)"),
       field::duration<T>("request_timeout", &T::request_timeout_s, greater_than(0),
                          "an unanswered request goes to the next announcer after this (Core: 60 s)"),
       field::choice<T>(
           "replace", &T::replace, replace_policy_names(),
           "conflicting spends: keep the first seen, or replace by a higher fee (Core v28's default)"),
       field::real<T>(
           "incremental_fee_rate_sat_vb", &T::incremental_fee_rate_sat_vb, between(0, 1e6),
           "a replacement's fee must exceed the replaced one's by this rate times its size (Core: 1)"),
       field::real<T>("min_fee_rate_sat_vb", &T::min_fee_rate_sat_vb, between(0, 1e6),
                      "mempools and relay refuse lower fee rates (Core: 1 until v29.1, then 0.1)"),
       field::size<T>("mempool", &T::mempool_bytes, between(1000, 1e12),
                      "mempool cap; above it the lowest fee rates are evicted (Core: -maxmempool=300 MB)"),
       field::duration<T>("expiry", &T::expiry_s, greater_than(0),
                          "a pooled transaction this old is dropped (Core: 336 h)"),
       field::duration<T>("sample_interval", &T::sample_interval_s, greater_than(0),
                          "mempool table: time between samples"),
       field::count<T>("sample_nodes", &T::sample_nodes, between(0, kMaxNodes),
                       "mempool table: nodes sampled (the first ones; 0: none)"),
       field::share<T>(
           "arrivals_fraction", &T::arrivals_fraction, between(0, 1),
           "tx_arrivals table: share of transactions whose every arrival is kept (sampled by id)"),
       field::subsection<T>("stem", "Dandelion's stem phase before the usual relay (transactions.stem)"),
       field::share<T>("proxy_share", &T::proxy_share, between(0, 1),
                       "share of transactions a wallet sends through a random other node (as over Tor), "
                       "which then relays it as its own"),
       field::duration<T>("proxy_delay", &T::proxy_delay_s, greater_than(0),
                          "mean of the exponential delay from the wallet to its proxy (a Tor circuit)"),
       field::share<T>("v2_share", &T::v2_share, between(0, 1),
                       "share of connections on BIP 324 v2 transport: an on-path observer sees only the "
                       "sizes and times of their messages")}};
}

Section<StemSpec> make_stem() {
  using S = StemSpec;
  Field<S> preset = field::structured<S>(
      "preset", ParamType::text, "parameter set whose values are the defaults (dltsim describe dandelion++)",
      [](const YamlValue&, S&) {},  // applied by the loader before the other keys
      [](YAML::Emitter&, const S&) {}, [](const S&) { return false; });
  return {
      "transactions.stem",
      "Dandelion's stem phase: each transaction first hops along the nodes' stem relays, then spreads "
      "(docs/privacy.md)",
      {preset,
       field::share<S>("fluff_probability", &S::fluff_probability, between(0, 1),
                       "q: the probability of turning to fluff, per epoch or per hop"),
       field::choice<S>("fluff", &S::fluff, fluff_rule_names(),
                        "per_epoch: a node is a diffuser for the epoch with probability q (Dandelion++); "
                        "per_hop: a coin at every hop (BIP 156)"),
       field::count<S>("relays", &S::relays, between(1, 8),
                       "outbound peers each node relays stem transactions to in an epoch (Dandelion++: 2, "
                       "a quasi-4-regular graph; 1: a line)"),
       field::choice<S>("routing", &S::routing, stem_routing_names(),
                        "per_edge: each inbound peer maps to one relay and own transactions keep one "
                        "relay for the epoch; per_transaction: a relay drawn per transaction"),
       field::duration<S>("epoch", &S::epoch_s, greater_than(0),
                          "relays and the diffuser role are re-drawn this often (each node on its own "
                          "clock)"),
       field::duration<S>("embargo_min", &S::embargo_min_s, at_least(0),
                          "fixed part of the embargo timer (BIP 156's reference code: 10 s)"),
       field::duration<S>("embargo", &S::embargo_s, greater_than(0),
                          "mean of the embargo timer's random part: a stem node that has not seen the "
                          "transaction in fluff by then spreads it itself"),
       field::choice<S>("embargo_law", &S::embargo_law, embargo_law_names(),
                        "law of the random part: exponential (Dandelion++), poisson (Monero: whole "
                        "seconds), uniform on [0, 2 x embargo] (Grin)")}};
}

Section<ScriptedTx> make_scripted_tx() {
  using S = ScriptedTx;
  auto text = [](std::string name, std::string S::*member, std::string doc) {
    Field<S> f = field::structured<S>(
        std::move(name), ParamType::text, std::move(doc),
        [member](const YamlValue& v, S& s) { s.*member = v.scalar(); },
        [member](YAML::Emitter& out, const S& s) { out << s.*member; },
        [member](const S& s) { return !(s.*member).empty(); });
    return f;
  };
  Section<S> s{
      "transactions.scripted[]",
      "one transaction written out",
      {field::required(text("name", &S::name, "label, unique in the scenario")),
       field::required(field::duration<S>("at", &S::time_s, at_least(0), "when its wallet creates it")),
       field::required(
           field::count<S>("node", &S::node, between(0, kMaxNodes), "the node whose wallet creates it")),
       field::size<S>("size", &S::size_bytes, between(60, 4e6), "size (virtual bytes)"),
       field::real<S>("fee_rate_sat_vb", &S::fee_rate_sat_vb, between(0, 1e7), "fee rate, satoshi per vbyte"),
       text("conflicts", &S::conflicts, "the name of a scripted transaction it double-spends")}};
  s.flow = true;
  return s;
}

Section<AttackSpec> make_attack() {
  using A = AttackSpec;
  Field<A> name = field::structured<A>(
      "attack", ParamType::text, "a registered attack (dltsim list)",
      [](const YamlValue& v, A& a) { a.name = v.scalar(); },
      [](YAML::Emitter& out, const A& a) { out << a.name; });
  Field<A> enabled = field::flag<A>(
      "enabled", &A::enabled, "false: checked, but takes no part (its nodes are honest, its seeds unused)");
  // Written only when off, so that the resolved scenarios (and study run keys) of existing files stay as they
  // were.
  enabled.present = [](const A& a) { return !a.enabled; };
  Field<A> end =
      field::duration<A>("end", &A::end_s, at_least(0), "active until (default: the end of the run)");
  end.present = [](const A& a) { return std::isfinite(a.end_s); };
  end.text = [](const A& a) {
    return std::isfinite(a.end_s) ? seconds_text(a.end_s) : std::string("(end of run)");
  };
  return {"attacks[]",
          "one attack: the nodes it controls, its time window and its parameters (dltsim describe ATTACK)",
          {field::required(name), enabled,
           field::required(
               field::subsection<A>("nodes", fmt::format("the nodes it controls: exactly one of {}",
                                                         fmt::join(select_by_names().names(), ", ")))),
           field::duration<A>("start", &A::start_s, at_least(0), "active from"), end,
           field::subsection<A>("params", "the attack's parameters (dltsim describe ATTACK)")}};
}

Section<OutputSpec> make_output() {
  Field<OutputSpec> path = field::structured<OutputSpec>(
      "path", ParamType::text, "the HDF5 result file (default: the scenario file's stem + .h5)",
      [](const YamlValue& v, OutputSpec& o) {
        o.path = v.scalar();
        o.path_given = true;
      },
      // The output path is not part of the experiment: two runs written to different files are identical.
      [](YAML::Emitter&, const OutputSpec&) {}, [](const OutputSpec&) { return false; });
  Field<OutputSpec> record = field::structured<OutputSpec>(
      "record", ParamType::list, "tables to write (default: all the run has; summary and provenance always)",
      [](const YamlValue&, OutputSpec&) {},  // checked against the run's tables by the loader
      [](YAML::Emitter& out, const OutputSpec& o) {
        out << YAML::Flow << YAML::BeginSeq;
        for (const std::string& t : o.record) out << t;
        out << YAML::EndSeq;
      });
  return {"output", "where the result goes and what it records", {path, record}};
}

}  // namespace

const Section<Scenario>& root_section() {
  static const Section<Scenario> s = make_root();
  return s;
}
const Section<Scenario>& general_section() {
  static const Section<Scenario> s = make_general();
  return s;
}
const Section<StopSpec>& stop_section() {
  static const Section<StopSpec> s = make_stop();
  return s;
}
const Section<NetworkSpec>& idealised_network_section() {
  static const Section<NetworkSpec> s = make_idealised();
  return s;
}
const Section<NetworkSpec>& network_section() {
  static const Section<NetworkSpec> s = make_network();
  return s;
}
const Section<RegionSpec>& region_section() {
  static const Section<RegionSpec> s = make_region();
  return s;
}
const Section<NetworkSpec>& latency_section() {
  static const Section<NetworkSpec> s = make_latency();
  return s;
}
const Section<TopologySpec>& topology_section() {
  static const Section<TopologySpec> s = make_topology();
  return s;
}
const Section<ChurnSpec>& churn_section() {
  static const Section<ChurnSpec> s = make_churn();
  return s;
}
const Section<PeerSpec>& peer_section() {
  static const Section<PeerSpec> s = make_peers();
  return s;
}
const Section<InternetSpec>& internet_section() {
  static const Section<InternetSpec> s = make_internet();
  return s;
}
const Section<ConsensusSpec>& consensus_section() {
  static const Section<ConsensusSpec> s = make_consensus();
  return s;
}
const Section<PowerSpec>& power_section() {
  static const Section<PowerSpec> s = make_power();
  return s;
}
const Section<TxSpec>& transactions_section() {
  static const Section<TxSpec> s = make_transactions();
  return s;
}
const Section<StemSpec>& stem_section() {
  static const Section<StemSpec> s = make_stem();
  return s;
}
const Section<ScriptedTx>& scripted_tx_section() {
  static const Section<ScriptedTx> s = make_scripted_tx();
  return s;
}
const Section<AttackSpec>& attack_section() {
  static const Section<AttackSpec> s = make_attack();
  return s;
}
const Section<OutputSpec>& output_section() {
  static const Section<OutputSpec> s = make_output();
  return s;
}

std::vector<SectionDoc> scenario_sections() {
  return {root_section().describe(),
          general_section().describe(),
          stop_section().describe(),
          network_section().describe(),
          idealised_network_section().describe(),
          region_section().describe(),
          latency_section().describe(),
          topology_section().describe(),
          churn_section().describe(),
          peer_section().describe(),
          internet_section().describe(),
          consensus_section().describe(),
          power_section().describe(),
          transactions_section().describe(),
          scripted_tx_section().describe(),
          stem_section().describe(),
          attack_section().describe(),
          output_section().describe()};
}

const SectionDoc* find_scenario_section(const std::string& path) {
  static const std::vector<SectionDoc> sections = scenario_sections();
  for (const SectionDoc& s : sections) {
    if (s.path == path || s.path == path + "[]") return &s;
  }
  return nullptr;
}

}  // namespace dltsim
