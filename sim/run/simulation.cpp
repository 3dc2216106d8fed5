#include "sim/run/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstring>
#include <limits>
#include <memory>
#include <set>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <simgrid/s4u/Engine.hpp>

#include "dltsim/version.hpp"
#include "sim/adversary/node_selection.hpp"
#include "sim/interconnect/bridge.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/metrics/result_file.hpp"
#include "sim/net/platform.hpp"
#include "sim/node/churn.hpp"
#include "sim/node/peer_manager.hpp"
#include "sim/run/interrupt.hpp"
#include "sim/run/power.hpp"
#include "sim/run/run_plan.hpp"
#include "sim/scenario/resolved_scenario.hpp"

namespace dltsim {

namespace {

struct NodeRow {
  std::uint32_t id;
  std::uint16_t region;
  double download_bps;
  double upload_bps;
  double power_share;
  std::uint32_t degree;
  std::uint32_t outbound;
  std::uint32_t inbound;
  std::uint32_t as_rank;
  std::uint32_t prefix;
  std::uint16_t pool;
  double offline_s;
  std::uint8_t online;
};

struct RegionRow {
  std::uint16_t index;
  char name[32];
  double share;
  double download_bps;
  double upload_bps;
  std::uint32_t nodes;
};

struct PoolRow {
  std::uint16_t pool;
  char name[32];
  double power_share;
  std::uint32_t gateways;
};

struct MessageRow {
  char type[32];
  std::uint64_t sent;
  std::uint64_t bytes;
  std::uint64_t dropped;
  std::uint64_t as_flows;
};

TableSchema node_schema() {
  return {
      "nodes",
      "Ledger nodes: placement, access bandwidth, consensus power, peer degree at the end",
      sizeof(NodeRow),
      {DLTSIM_COLUMN(NodeRow, id, "", "node id"), DLTSIM_COLUMN(NodeRow, region, "", "index into regions"),
       DLTSIM_COLUMN(NodeRow, download_bps, "bit/s", "access download rate"),
       DLTSIM_COLUMN(NodeRow, upload_bps, "bit/s", "access upload rate"),
       DLTSIM_COLUMN(NodeRow, power_share, "", "share of hashrate or stake"),
       DLTSIM_COLUMN(NodeRow, degree, "", "connections"),
       DLTSIM_COLUMN(NodeRow, outbound, "", "connections it opened"),
       DLTSIM_COLUMN(NodeRow, inbound, "", "connections others opened to it"),
       DLTSIM_COLUMN(NodeRow, as_rank, "",
                     "its autonomous system by rank of size (1: largest; 0: no Internet placement)"),
       DLTSIM_COLUMN(NodeRow, prefix, "", "its address prefix (global id from 1; 0: no Internet placement)"),
       DLTSIM_COLUMN(NodeRow, pool, "", "the mining pool it is a gateway of (1: the first listed; 0: none)"),
       DLTSIM_COLUMN(NodeRow, offline_s, "s", "time it spent offline (network.churn)"),
       DLTSIM_COLUMN(NodeRow, online, "", "1 if it was online at the end")}};
}

TableSchema region_schema() {
  return {"regions",
          "Regions of the network",
          sizeof(RegionRow),
          {DLTSIM_COLUMN(RegionRow, index, "", "region index"), DLTSIM_COLUMN(RegionRow, name, "", "name"),
           DLTSIM_COLUMN(RegionRow, share, "", "configured share of nodes"),
           DLTSIM_COLUMN(RegionRow, download_bps, "bit/s", "per-node download rate"),
           DLTSIM_COLUMN(RegionRow, upload_bps, "bit/s", "per-node upload rate"),
           DLTSIM_COLUMN(RegionRow, nodes, "", "nodes placed in the region")}};
}

TableSchema pool_schema() {
  return {"pools",
          "Mining pools (consensus.power distribution pools): the nodes table's `pool` indexes them",
          sizeof(PoolRow),
          {DLTSIM_COLUMN(PoolRow, pool, "", "pool index (1: the first listed)"),
           DLTSIM_COLUMN(PoolRow, name, "", "name (the preset's source, pool_names, or 'pool N')"),
           DLTSIM_COLUMN(PoolRow, power_share, "", "share of consensus power its gateways hold together"),
           DLTSIM_COLUMN(PoolRow, gateways, "", "gateway nodes holding it")}};
}

TableSchema message_schema() {
  return {"messages",
          "Traffic by message type",
          sizeof(MessageRow),
          {DLTSIM_COLUMN(MessageRow, type, "", "message type"),
           DLTSIM_COLUMN(MessageRow, sent, "", "messages sent"),
           DLTSIM_COLUMN(MessageRow, bytes, "bytes", "bytes sent"),
           DLTSIM_COLUMN(MessageRow, dropped, "", "dropped by filters (attacks)"),
           DLTSIM_COLUMN(MessageRow, as_flows, "", "sent as SimGrid flows (bandwidth shared)")}};
}

static_assert(sizeof(RegionRow::name) > kMaxRegionNameBytes, "the loader caps region names to fit");
static_assert(sizeof(PoolRow::name) > kMaxPoolNameBytes, "the loader caps pool names to fit");
static_assert(sizeof(MessageRow::type) > kMaxMessageTypeBytes, "MessageTypes caps names to fit");

// Texts are capped where they enter (loader, registries), so nothing is ever cut here.
template <std::size_t N>
void copy_text(char (&dst)[N], const std::string& src) {
  if (src.size() >= N) throw std::logic_error("text column overflow: " + src);
  std::memset(dst, 0, N);
  std::memcpy(dst, src.data(), src.size());
}

void record_pools(Recorder& recorder, const Network& network, const std::vector<double>& power,
                  const PowerSpec& spec) {
  if (spec.distribution != PowerDistribution::pools) return;
  TableWriter* t = recorder.table(pool_schema());
  if (t == nullptr) return;
  std::vector<PoolRow> rows(spec.pools.size(), PoolRow{});
  for (std::size_t k = 0; k < rows.size(); ++k) {
    rows[k].pool = static_cast<std::uint16_t>(k + 1);
    copy_text(rows[k].name, k < spec.pool_names.size() ? spec.pool_names[k] : fmt::format("pool {}", k + 1));
  }
  for (NodeId i = 0; i < network.size(); ++i) {
    const std::uint16_t pool = network.node(i).pool;
    if (pool == 0) continue;
    rows[pool - 1].power_share += power[i];
    ++rows[pool - 1].gateways;
  }
  for (const PoolRow& row : rows) t->append(&row);
}

void record_network(Recorder& recorder, const Network& network, const std::vector<double>& power,
                    const Runtime& runtime) {
  if (TableWriter* t = recorder.table(region_schema())) {
    std::vector<std::uint32_t> counts(network.spec().regions.size(), 0);
    for (NodeId i = 0; i < network.size(); ++i) ++counts[network.node(i).region];
    for (std::size_t r = 0; r < counts.size(); ++r) {
      const RegionSpec& spec = network.spec().regions[r];
      RegionRow row{};
      row.index = static_cast<std::uint16_t>(r);
      copy_text(row.name, spec.name);
      row.share = spec.share;
      row.download_bps = spec.download_bps;
      row.upload_bps = spec.upload_bps;
      row.nodes = counts[r];
      t->append(&row);
    }
  }
  if (TableWriter* t = recorder.table(node_schema())) {
    for (NodeId i = 0; i < network.size(); ++i) {
      const NodeInfo& n = network.node(i);
      const Topology& topo = network.topology();
      NodeRow row{};
      row.id = i;
      row.region = n.region;
      row.download_bps = n.download_bps;
      row.upload_bps = n.upload_bps;
      row.power_share = power[i];
      row.degree = static_cast<std::uint32_t>(topo.peers(i).size());
      row.outbound = topo.outbound(i);
      row.inbound = topo.inbound(i);
      row.as_rank = n.as_rank;
      row.prefix = n.prefix;
      row.pool = n.pool;
      row.offline_s = runtime.offline_s(i);
      row.online = runtime.online(i) ? 1 : 0;
      t->append(&row);
    }
  }
}

void record_traffic(Recorder& recorder, const Transport& transport, const MessageTypes& types) {
  TableWriter* t = recorder.table(message_schema());
  std::uint64_t messages = 0, bytes = 0, flows = 0;
  const auto& traffic = transport.traffic();
  for (std::size_t i = 0; i < types.size(); ++i) {
    const TrafficCount c = i < traffic.size() ? traffic[i] : TrafficCount{};
    messages += c.sent;
    bytes += c.bytes;
    flows += c.as_flows;
    MessageRow row{};
    copy_text(row.type, types.name(static_cast<MessageType>(i)));
    row.sent = c.sent;
    row.bytes = c.bytes;
    row.dropped = c.dropped;
    row.as_flows = c.as_flows;
    Recorder::append(t, row);
  }
  Summary& s = recorder.summary();
  s.set("messages", static_cast<std::int64_t>(messages), "", "messages sent, all types");
  s.set("message_bytes", static_cast<std::int64_t>(bytes), "bytes", "bytes sent, all types");
  s.set("flows", static_cast<std::int64_t>(flows), "",
        "messages simulated as SimGrid flows (bandwidth shared)");
  // Per type as well, so a summary alone tells where the traffic went.
  for (std::size_t i = 0; i < types.size() && i < traffic.size(); ++i) {
    const std::string& name = types.name(static_cast<MessageType>(i));
    s.set("messages_" + name, static_cast<std::int64_t>(traffic[i].sent), "", name + " messages sent");
    s.set("message_bytes_" + name, static_cast<std::int64_t>(traffic[i].bytes), "bytes",
          "bytes of " + name + " messages sent");
  }
}

Summary provenance_of_run(std::uint64_t seed, const std::string& source_name,
                          const std::vector<std::string>& overrides_given, bool complete, EndReason reason) {
  Summary p;
  p.set("status", std::string(complete ? "complete" : "incomplete"), "",
        "complete, or incomplete (interrupted: what was recorded until then)");
  p.set("end_reason", std::string(end_reason_name(reason)), "",
        "time_limit, drained, drain_limit, idle, interrupted or output_failed");
  p.set("seed", seed, "", "master seed");
  p.set("dltsim_version", std::string(kVersion), "", "dltsim version");
  p.set("git_commit", std::string(kGitCommit), "",
        "commit the binary was built from (-dirty: with local changes)");
  p.set("schema_version", static_cast<std::int64_t>(kResultSchemaVersion), "",
        "version of this file's layout");
  p.set("source_tree_dirty", std::string(kSourceTreeDirty ? "yes" : "no"), "",
        "the source tree had uncommitted changes when the binary was configured");
  p.set("library_versions", std::string(kLibraryVersions), "", "libraries the binary was built against");
  // The file's base name only: the same scenario run from another folder gives the same bytes.
  p.set("scenario_name", source_name.substr(source_name.find_last_of('/') + 1), "",
        "scenario file name (no directory)");
  std::string overrides;
  for (const auto& o : overrides_given) overrides += (overrides.empty() ? "" : "\n") + o;
  p.set("overrides", overrides, "", "--set overrides, one per line, in order");
  return p;
}

Summary provenance(const Scenario& sc, bool complete, EndReason reason) {
  return provenance_of_run(sc.seed, sc.source_name, sc.overrides, complete, reason);
}

// SimGrid wants argc/argv: build them from dltsim's fixed engine options.
std::unique_ptr<simgrid::s4u::Engine> make_engine() {
  static bool created = false;
  if (created) throw std::logic_error("run_simulation: SimGrid allows one simulation per process");
  created = true;
  static std::vector<std::string> args;
  args = {"dltsim"};
  for (const auto& o : simgrid_engine_options()) args.push_back(o);
  static std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  return std::make_unique<simgrid::s4u::Engine>(&argc, argv.data());
}

// One ledger of a run, in construction order (so destroyed in reverse).
struct LedgerRun {
  const Scenario* sc = nullptr;
  SeedTree seeds{0};
  RunPlan plan;
  std::unique_ptr<Platform> platform;
  std::unique_ptr<Recorder> recorder;
  std::unique_ptr<Runtime> runtime;
  MessageTypes types;
  std::unique_ptr<Consensus> consensus;
  std::vector<std::unique_ptr<Attack>> attacks;
  std::unique_ptr<PeerManager> peers;  // holds the runtime: declared after it, destroyed before
  std::vector<NodeId> churning;
};

// Everything a run holds, in construction order (so destroyed in reverse).
struct RunObjects {
  std::unique_ptr<simgrid::s4u::Engine> engine;  // made after the plans, destroyed after everything
  std::vector<std::unique_ptr<LedgerRun>> ledgers;
  std::unique_ptr<ResultFile> file;
  std::unique_ptr<Recorder> recorder;  // several ledgers: the run's root tables and summary
  std::unique_ptr<LedgerLinks> links;
  std::vector<std::unique_ptr<Bridge>> bridges;
};

// A run that stopped early (interrupt, write failure, time limit with transfers in flight) is not
// torn down: SimGrid would first retire every transfer still in flight, one scan of all the others
// each (seconds to minutes at scale), and freeing millions of node objects takes another second at
// 10^6 nodes, while the process ends right after. The objects stay reachable from here (no leak
// report) and SimGrid's own exit-time cleanup is off (simgrid_engine_options()).
RunObjects* g_left_to_process_exit = nullptr;

// The nodes of a ledger, its protocol and its attacks, recording through a recorder on `group`.
void build_ledger(LedgerRun& l, const Catalog& catalog, ResultFile* file, const std::string& group) {
  const Scenario& sc = *l.sc;
  Network& network = *l.plan.network;
  l.recorder = std::make_unique<Recorder>(file, sc.output.record, group);
  Recorder& recorder = *l.recorder;
  const std::vector<std::vector<NodeId>>& attack_nodes = l.plan.attack_nodes;
  l.runtime = std::make_unique<Runtime>(network, l.platform.get(), sc.stop, l.seeds.child("nodes"),
                                        l.plan.power, recorder);
  Runtime& runtime = *l.runtime;
  const ProtocolInfo& protocol = catalog.protocols.get(sc.consensus.protocol);
  const ProtocolSetup setup{sc.consensus.params,
                            network.size(),
                            runtime.power_shares(),
                            l.types,
                            recorder,
                            l.seeds.child("protocol"),
                            sc.transactions.enabled ? &sc.transactions : nullptr};
  l.consensus = protocol.make(setup);

  std::vector<const std::vector<NodeId>*> nodes_of;  // per built attack
  for (std::size_t a = 0; a < sc.attacks.size(); ++a) {
    if (!sc.attacks[a].enabled) continue;
    // Summary values are prefixed with the attack's name, or name_index when it appears twice (off or
    // on, so that the keys do not depend on which attacks are enabled).
    const auto same_name = std::count_if(sc.attacks.begin(), sc.attacks.end(),
                                         [&](const AttackSpec& x) { return x.name == sc.attacks[a].name; });
    const std::string label =
        same_name > 1 ? sc.attacks[a].name + "_" + std::to_string(a) : sc.attacks[a].name;
    const AttackSetup attack_setup{sc.attacks[a],
                                   label,
                                   static_cast<std::uint16_t>(a),
                                   attack_nodes[a],
                                   *l.consensus,
                                   network,
                                   l.types,
                                   recorder,
                                   l.seeds.child("attack").child(a),
                                   l.plan.attack_selections[a]};
    l.attacks.push_back(catalog.attacks.get(sc.attacks[a].name).make(attack_setup));
    nodes_of.push_back(&attack_nodes[a]);
  }
  for (NodeId i = 0; i < network.size(); ++i) {
    std::unique_ptr<Protocol> node = l.consensus->make_node(i);
    for (std::size_t a = 0; a < l.attacks.size(); ++a) {
      if (std::binary_search(nodes_of[a]->begin(), nodes_of[a]->end(), i)) {
        node = l.attacks[a]->make_node(i, std::move(node));
      }
    }
    runtime.install(i, std::move(node));
  }
}

// Peer manager, the protocol's and the attacks' start, churn.
void start_ledger(LedgerRun& l) {
  const Scenario& sc = *l.sc;
  Runtime& runtime = *l.runtime;
  if (sc.network.peers.enabled) {
    l.peers = std::make_unique<PeerManager>(runtime, sc.network.peers, l.types, l.seeds.child("peers"));
    runtime.set_peer_manager(l.peers.get());
    l.peers->start();
  }
  l.consensus->on_start(runtime);
  for (auto& attack : l.attacks) {
    if (MessageFilter* f = attack->filter()) runtime.transport().add_filter(f);
    attack->on_start(runtime);
  }
  if (sc.network.churn.fraction > 0)
    l.churning = schedule_churn(runtime, sc.network.churn, l.seeds.child("churn"));
}

// The ledger's summary and tables once its run has ended.
void finish_ledger(LedgerRun& l, const RunStats& stats) {
  const Network& network = *l.plan.network;
  Runtime& runtime = *l.runtime;
  Recorder& recorder = *l.recorder;
  Summary& summary = recorder.summary();
  summary.set("nodes", static_cast<std::int64_t>(network.size()), "", "ledger nodes");
  summary.set("end_time_s", stats.end_time_s, "s",
              "simulated time at the end (the last event, or the time limit)");
  summary.set("events", static_cast<std::int64_t>(stats.events), "",
              "events processed: message deliveries, timers, callbacks");
  l.consensus->finish(summary, stats.end_time_s);
  for (auto& attack : l.attacks) attack->finish(summary);
  if (!l.churning.empty()) {
    double offline_s = 0;
    for (const NodeId i : l.churning) offline_s += runtime.offline_s(i);
    summary.set("churn_nodes", static_cast<std::int64_t>(l.churning.size()), "nodes",
                "nodes that leave and rejoin");
    summary.set("churn_offline_fraction",
                stats.end_time_s > 0 ? offline_s / (l.churning.size() * stats.end_time_s) : 0.0, "",
                "share of the churning nodes' time spent offline");
    summary.mark_proportions({"churn_offline_fraction"});
  }
  if (l.peers) {
    const PeerStats& ps = l.peers->stats();
    summary.set("peers_opened", static_cast<std::int64_t>(ps.opened), "",
                "connections opened during the run");
    summary.set("peers_failed", static_cast<std::int64_t>(ps.failed), "",
                "connection attempts to addresses that did not accept (offline, or inbound slots full)");
    summary.set("peers_feelers", static_cast<std::int64_t>(ps.feelers), "", "feeler connections tried");
    summary.set("peers_addresses", static_cast<std::int64_t>(ps.addresses), "",
                "addresses received in addr messages");
  }
  record_traffic(recorder, runtime.transport(), l.types);
  record_network(recorder, network, runtime.power_shares(), runtime);
  record_pools(recorder, network, runtime.power_shares(), l.sc->consensus.power);
}

// The scenario texts of a ledger (or a single-ledger run) under `group`.
void write_scenario_texts(ResultFile& file, const std::string& group, const Scenario& sc,
                          const Catalog& catalog) {
  file.write_text(group, "scenario_yaml", sc.source_text);
  file.write_text(group, "effective_yaml", sc.effective_yaml);
  file.write_text(group, "resolved_yaml", resolved_scenario_yaml(sc, catalog));
}

}  // namespace

RunResult run_simulation(const Scenario& sc, const Catalog& catalog, const RunOptions& options) {
  auto objects = std::make_unique<RunObjects>();
  RunObjects& o = *objects;
  o.ledgers.push_back(std::make_unique<LedgerRun>());
  LedgerRun& l = *o.ledgers.front();
  l.sc = &sc;
  l.seeds = SeedTree(sc.seed);
  l.plan = make_run_plan(sc, catalog, l.seeds);
  o.engine = make_engine();
  // SimGrid's engine installs a SIGINT handler that exits at once: ours comes back.
  if (options.handle_signals) install_interrupt_handlers();
  // Hosts exist in every mode: SimGrid's clock needs a platform even when no flow is simulated.
  l.platform = std::make_unique<Platform>(*o.engine, *l.plan.network);

  // The result file appears once the input has proved runnable; from here on an interrupt keeps
  // what was recorded instead of ending the process.
  if (options.handle_signals) keep_results_on_interrupt();
  if (options.write_output) o.file = std::make_unique<ResultFile>(sc.output.path);
  build_ledger(l, catalog, o.file.get(), "");
  start_ledger(l);

  RunResult result;
  result.stats = l.runtime->run(options.progress, options.interrupt);
  result.complete = result.stats.reason != EndReason::interrupted;
  if (result.stats.flows_in_flight > 0 || !result.complete ||
      result.stats.reason == EndReason::output_failed) {
    g_left_to_process_exit = objects.release();
  }
  finish_ledger(l, result.stats);
  Summary& summary = l.recorder->summary();
  result.summary = summary;

  if (o.file) {
    o.file->write_attributes("summary", summary);
    o.file->write_attributes("provenance", provenance(sc, result.complete, result.stats.reason));
    write_scenario_texts(*o.file, "provenance", sc, catalog);
    result.output_path = result.complete ? o.file->commit() : o.file->abandon();
  }
  return result;
}

RunResult run_multi_ledger(const MultiLedgerScenario& ms, const Catalog& catalog, const RunOptions& options) {
  auto objects = std::make_unique<RunObjects>();
  RunObjects& o = *objects;
  for (const LedgerSpec& spec : ms.ledgers) {
    o.ledgers.push_back(std::make_unique<LedgerRun>());
    LedgerRun& l = *o.ledgers.back();
    l.sc = &spec.scenario;
    l.seeds = SeedTree(spec.scenario.seed);
    l.plan = make_ledger_plan(spec, catalog);
  }
  o.engine = make_engine();
  if (options.handle_signals) install_interrupt_handlers();
  std::vector<std::pair<const Network*, std::string>> networks;
  for (std::size_t i = 0; i < ms.ledgers.size(); ++i)
    networks.emplace_back(o.ledgers[i]->plan.network.get(), ms.ledgers[i].name + "/");
  std::vector<std::unique_ptr<Platform>> platforms = Platform::several(*o.engine, networks);
  for (std::size_t i = 0; i < ms.ledgers.size(); ++i) o.ledgers[i]->platform = std::move(platforms[i]);

  if (options.handle_signals) keep_results_on_interrupt();
  if (options.write_output) o.file = std::make_unique<ResultFile>(ms.output.path);
  std::set<std::string> bridge_tables;
  for (const BridgeSpec& b : ms.bridges) {
    const BridgeInfo& info = catalog.bridges.get(b.mechanism);
    bridge_tables.insert(info.tables.begin(), info.tables.end());
  }
  o.recorder = std::make_unique<Recorder>(o.file.get(), bridge_tables);
  // Each ledger runs ahead of SimGrid's clock by no more than the shortest hand-off between them:
  // the smallest latency of any of their networks (an operator's nodes talk over a network too).
  double min_hand_off_s = std::numeric_limits<double>::infinity();
  for (const auto& l : o.ledgers) min_hand_off_s = std::min(min_hand_off_s, l->plan.network->min_latency_s());
  if (!std::isfinite(min_hand_off_s)) min_hand_off_s = 0;
  std::vector<LedgerHandle> handles;
  std::vector<Runtime*> runtimes;
  for (std::size_t i = 0; i < ms.ledgers.size(); ++i) {
    LedgerRun& l = *o.ledgers[i];
    build_ledger(l, catalog, o.file.get(), "ledgers/" + ms.ledgers[i].name);
    l.runtime->cap_lookahead_s(min_hand_off_s);
    handles.push_back(LedgerHandle{ms.ledgers[i].name, l.runtime.get(), l.consensus.get()});
    runtimes.push_back(l.runtime.get());
  }
  o.links = std::make_unique<LedgerLinks>(handles, min_hand_off_s);
  const SeedTree run_seeds(ms.seed);
  for (std::size_t b = 0; b < ms.bridges.size(); ++b) {
    const BridgeSpec& spec = ms.bridges[b];
    const BridgeSetup setup{spec,
                            spec.name,
                            static_cast<std::uint16_t>(b),
                            spec.ledgers,
                            *o.links,
                            *o.recorder,
                            run_seeds.child("bridge").child(spec.name)};
    o.bridges.push_back(catalog.bridges.get(spec.mechanism).make(setup));
  }
  for (auto& l : o.ledgers) start_ledger(*l);
  for (auto& bridge : o.bridges) bridge->on_start();

  const std::vector<RunStats> stats = Runtime::run_together(runtimes, options.progress, options.interrupt);
  RunResult result;
  result.stats = stats.front();
  result.stats.events = 0;
  result.stats.deliveries = 0;
  result.stats.produced = 0;
  result.stats.flows_in_flight = 0;
  for (const RunStats& s : stats) {
    result.stats.events += s.events;
    result.stats.deliveries += s.deliveries;
    result.stats.produced += s.produced;
    result.stats.flows_in_flight += s.flows_in_flight;
    result.stats.end_time_s = std::max(result.stats.end_time_s, s.end_time_s);
  }
  result.complete = result.stats.reason != EndReason::interrupted;
  if (result.stats.flows_in_flight > 0 || !result.complete ||
      result.stats.reason == EndReason::output_failed) {
    g_left_to_process_exit = objects.release();
  }
  Summary& summary = o.recorder->summary();
  summary.set("ledgers", static_cast<std::int64_t>(ms.ledgers.size()), "", "ledgers in the run");
  summary.set("end_time_s", result.stats.end_time_s, "s",
              "simulated time at the end (the last event, or the time limit)");
  summary.set("events", static_cast<std::int64_t>(result.stats.events), "", "events processed, all ledgers");
  for (auto& bridge : o.bridges) bridge->finish(summary, result.stats.end_time_s);
  for (std::size_t i = 0; i < ms.ledgers.size(); ++i) {
    LedgerRun& l = *o.ledgers[i];
    finish_ledger(l, stats[i]);
    summary.add_prefixed(l.recorder->summary(), ms.ledgers[i].name + "_", ms.ledgers[i].name + ": ");
  }
  result.summary = summary;

  if (o.file) {
    o.file->write_attributes("summary", summary);
    Summary p =
        provenance_of_run(ms.seed, ms.source_name, ms.overrides, result.complete, result.stats.reason);
    std::string names;
    for (const LedgerSpec& l : ms.ledgers) names += (names.empty() ? "" : "\n") + l.name;
    p.set("ledgers", names, "", "the ledgers, one per line: each has its tables under ledgers/NAME");
    o.file->write_attributes("provenance", p);
    o.file->write_text("provenance", "scenario_yaml", ms.source_text);
    o.file->write_text("provenance", "effective_yaml", ms.effective_yaml);
    for (std::size_t i = 0; i < ms.ledgers.size(); ++i) {
      const Scenario& sc = ms.ledgers[i].scenario;
      const std::string group = "ledgers/" + ms.ledgers[i].name;
      o.file->write_attributes(group + "/summary", o.ledgers[i]->recorder->summary());
      o.file->write_attributes(
          group + "/provenance",
          provenance_of_run(sc.seed, sc.source_name, sc.overrides, result.complete, result.stats.reason));
      write_scenario_texts(*o.file, group + "/provenance", sc, catalog);
    }
    result.output_path = result.complete ? o.file->commit() : o.file->abandon();
  }
  return result;
}

}  // namespace dltsim
