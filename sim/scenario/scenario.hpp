#pragma once
// The typed scenario: what `dltsim run` simulates. Produced by load_scenario() from YAML, after
// every value has been checked; the schema is documented in scenarios/README.md.

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/core/enum_names.hpp"
#include "sim/core/error.hpp"
#include "sim/core/ids.hpp"
#include "sim/core/params.hpp"
#include "sim/net/network_preset.hpp"
#include "sim/tx/tx_spec.hpp"

namespace dltsim {

/// When the run ends.
struct StopSpec {
  std::optional<double> time_s;         ///< simulated-time limit
  std::optional<std::uint64_t> blocks;  ///< stop producing after this many blocks
  double drain_s = 3600;                ///< after production stops, time left for in-flight messages
};

/// How bandwidth is shared between concurrent transfers.
enum class Contention {
  none,             ///< each transfer gets min(upload, download), no sharing (SimBlock's model)
  upload,           ///< transfers share the sender's upload (SimGrid max-min); download caps each one
  upload_download,  ///< transfers share the sender's upload and the receiver's download (SimGrid max-min)
};
/// The names a scenario writes for each Contention.
const EnumNames<Contention>& contention_names();

/// Peer graph construction.
struct TopologySpec {
  std::string model = "random";             ///< "random" or "complete"
  std::vector<double> outbound_degree_cdf;  ///< P(outbound <= k+1); a fixed degree d is a step at d
  std::uint32_t max_inbound = 125;          ///< inbound cap per node
  bool degrees_from_peers = false;          ///< network.peers sets the degrees (not written here)
};

/// How the delay of a message is drawn in the textbook (idealised) network.
enum class DelayLaw {
  fixed,        ///< every message takes exactly the delay
  exponential,  ///< each message draws its delay from an exponential law with that mean
};
/// The names a scenario writes for each DelayLaw.
const EnumNames<DelayLaw>& delay_law_names();

/// Nodes leaving and rejoining: a share of the nodes alternate online sessions and offline times
/// drawn from exponential laws with these means, starting online.
struct ChurnSpec {
  double fraction = 0;    ///< share of the nodes that churn (0: none)
  double session_s = 0;   ///< mean time online
  double downtime_s = 0;  ///< mean time offline
};

/// What an address's network group is (Bitcoin Core's netgroups: the /16 prefix, or the AS with -asmap).
enum class PeerGroups {
  prefix,  ///< its address prefix (Core's default /16 bucketing)
  as,      ///< its autonomous system (Core's -asmap, since 0.20)
};
/// The names a scenario writes for each PeerGroups.
const EnumNames<PeerGroups>& peer_groups_names();

/// Peer management after Bitcoin Core's address manager, scaled down (docs/peers.md): each node keeps
/// "new" and "tried" address tables bucketed by network group, fills them by address gossip, and
/// opens its outbound connections from them; connections close when a peer leaves and are replaced.
struct PeerSpec {
  bool enabled = false;                   ///< network.peers was given (else the peer graph is static)
  std::uint32_t outbound = 8;             ///< full-relay outbound connections
  std::uint32_t block_relay_only = 2;     ///< block-relay-only outbound connections (no address gossip)
  std::uint32_t max_inbound = 115;        ///< inbound cap (Core: 125 connections less 10 outbound)
  std::uint32_t new_buckets = 64;         ///< buckets of the "new" table (Core: 1,024)
  std::uint32_t tried_buckets = 16;       ///< buckets of the "tried" table (Core: 256)
  std::uint32_t bucket_size = 8;          ///< slots per bucket (Core: 64)
  std::uint32_t initial_new = 200;        ///< random addresses in "new" at the start (learned before the run)
  std::uint32_t initial_tried = 50;       ///< random addresses in "tried" at the start, besides its peers
  std::uint32_t getaddr_addresses = 100;  ///< addresses in the reply to a new connection's getaddr
  std::uint32_t relay_hops = 2;           ///< hops a self-announcement is relayed (to 2 peers each)
  bool anchors = true;                    ///< reconnect to the block-relay-only peers after a restart
  bool feelers = true;                    ///< test "new" addresses periodically, moving live ones to "tried"
  double feeler_interval_s = 120;         ///< time between feelers
  bool test_before_evict = true;          ///< a "tried" entry is evicted only if it does not answer
  double retry_s = 60;                    ///< wait before trying again to fill outbound slots
  PeerGroups groups = PeerGroups::prefix;  ///< what buckets addresses and spreads outbound peers
  bool distinct_groups = false;            ///< at most one outbound peer per group (Core: yes)
};

/// The network: nodes, regions, latencies, bandwidth, peers.
struct NetworkSpec {
  bool idealised = false;  ///< textbook model: every node reaches every other directly (scenarios/README.md)
  double delay_s = 0;  ///< idealised: the delay of every message (a block reaches all nodes this long after)
  DelayLaw delay_law = DelayLaw::fixed;              ///< idealised: fixed, or exponential with mean delay_s
  std::string preset;                                ///< preset it started from, "" if none
  std::uint32_t nodes = 0;                           ///< number of ledger nodes
  std::vector<RegionSpec> regions;                   ///< regions with node shares and access bandwidth
  std::vector<std::vector<double>> latency_s;        ///< one-way latency between regions
  LatencyModel latency_model = LatencyModel::fixed;  ///< per-connection latency law
  TopologySpec topology;                             ///< peer graph
  Contention contention = Contention::upload_download;  ///< bandwidth sharing model
  double flow_threshold_bytes = 1000;    ///< messages at least this large go through SimGrid flows
  InternetSpec internet;                 ///< AS and prefix placement (ases 0: none)
  ChurnSpec churn;                       ///< nodes leaving and rejoining
  PeerSpec peers;                        ///< address tables and dynamic connections
  std::vector<MiningPool> preset_pools;  ///< the preset's measured pool shares (power.distribution pools)
};

/// Law of consensus power over nodes.
enum class PowerDistribution {
  equal,   ///< every node the same
  normal,  ///< each node draws from a normal law (SimBlock's model)
  shares,  ///< explicit shares for the first nodes
  pools,   ///< mining pools: each pool's share on a few gateway nodes (docs/attacks.md)
};
/// The names a scenario writes for each PowerDistribution.
const EnumNames<PowerDistribution>& power_distribution_names();

/// How consensus power (hashrate, stake) is spread over nodes.
struct PowerSpec {
  PowerDistribution distribution = PowerDistribution::equal;  ///< the law
  double mean = 1;                                            ///< normal: mean power (arbitrary units)
  double stddev = 0;                                          ///< normal: standard deviation
  std::vector<double> shares;                                 ///< shares: shares of nodes 0..k-1
  bool others_equal = false;  ///< shares, pools: split the remainder equally over the other nodes (else 0)
  std::vector<double> pools;  ///< pools: hashrate share of each pool, largest first
  std::vector<std::string> pool_names;  ///< pools: their names (nodes table `pool` indexes them from 1)
  std::uint32_t gateways = 1;           ///< pools: nodes per pool that hold its hashrate
  std::uint32_t pool_ases = 0;          ///< pools: gateways sit in the largest this many ASes (0: anywhere)
  std::uint32_t gateway_peers = 0;      ///< pools: extra connections each gateway opens
};

/// The consensus protocol and its parameters.
struct ConsensusSpec {
  std::string protocol;  ///< registered protocol name
  ParamValues params;    ///< resolved parameters
  PowerSpec power;       ///< power distribution
};

/// How an attack's nodes are chosen.
enum class SelectBy {
  count,         ///< the first `amount` nodes in a random order
  fraction,      ///< a fraction of the nodes, in a random order
  power_share,   ///< nodes in a random order until their power share reaches `amount`
  region,        ///< every node of a region
  ids,           ///< explicit node ids
  ases,          ///< every node of the listed ASes (by size rank, Internet placement)
  top_ases,      ///< every node of the `amount` largest ASes
  top_prefixes,  ///< every node of the `amount` most populated prefixes
  top_degree,    ///< the `amount` nodes with the most connections (ties: lower id)
  top_power,     ///< the `amount` nodes with the most consensus power (ties: lower id)
};
/// The key a scenario writes for each SelectBy (an attack's `nodes` has exactly one).
const EnumNames<SelectBy>& select_by_names();

/// Which nodes an attack controls.
struct NodeSelection {
  SelectBy by = SelectBy::count;    ///< rule
  double amount = 0;                ///< count, fraction or power share
  std::string region;               ///< region name for "region"
  std::vector<NodeId> ids;          ///< explicit ids for "ids"
  std::vector<std::uint32_t> ases;  ///< AS ranks for "ases"
};

/// One attack in the scenario.
struct AttackSpec {
  std::string name;                                        ///< registered attack name
  ParamValues params;                                      ///< resolved parameters
  NodeSelection nodes;                                     ///< nodes it controls
  double start_s = 0;                                      ///< active from
  double end_s = std::numeric_limits<double>::infinity();  ///< active until
  bool enabled = true;  ///< false: checked, but takes no part (its nodes are honest, its seeds unused)
  /// Its node-selection parameters (ParamType::selection) that are not none, by parameter name.
  std::map<std::string, NodeSelection> selections;
};

/// Where results go and what is recorded.
struct OutputSpec {
  std::string path;              ///< HDF5 result file
  bool path_given = false;       ///< output.path was written (else the default <scenario stem>.h5)
  std::set<std::string> record;  ///< tables to write (summary and provenance are always written)
};

/// Longest region name in bytes (stored in a fixed-width column of the result file).
constexpr std::size_t kMaxRegionNameBytes = 31;
/// Longest mining pool name (the pools table stores it in a fixed-width column).
constexpr std::size_t kMaxPoolNameBytes = 31;

/// A setting that is valid but has no effect as combined (anchors without block-relay-only
/// connections): `validate` and `run` print it; it does not stop the run.
struct ScenarioWarning {
  SourceLocation where;  ///< where the setting was written
  std::string key_path;  ///< the inert setting
  std::string detail;    ///< why it has no effect
  /// "file:line:column: key.path: detail", as errors are written.
  std::string message() const;
};

/// A complete, validated scenario.
struct Scenario {
  std::string source_name;             ///< file name (or "<string>")
  std::string source_text;             ///< the document as written
  std::vector<std::string> overrides;  ///< command-line overrides applied, in order
  std::string effective_yaml;          ///< the document after overrides (re-emitted, comments dropped)
  std::uint64_t seed = 1;              ///< master seed
  StopSpec stop;                       ///< end condition
  NetworkSpec network;                 ///< network
  ConsensusSpec consensus;             ///< protocol
  TxSpec transactions;                 ///< wallets, relay and mempools (enabled: the section was given)
  std::vector<AttackSpec> attacks;     ///< attacks, in scenario order
  OutputSpec output;                   ///< output
  std::map<std::string, SourceLocation> locations;  ///< where keys were written, by key path
  std::vector<ScenarioWarning> warnings;            ///< settings that have no effect, in document order

  /// A ScenarioError at key_path, located where that key (or its nearest recorded parent) was
  /// written: for problems found after loading, when the network is built.
  ScenarioError error_at(const std::string& key_path, const std::string& detail) const;
};

}  // namespace dltsim
