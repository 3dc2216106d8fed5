#pragma once
// Run-wide state shared by the BFT protocols: n and f, the replicas, the client workload (a Poisson
// stream of transactions submitted to the current leader or to every replica), the metrics and
// safety monitor, and which replicas attacks control.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocols/bft/bft_config.hpp"
#include "protocols/bft/bft_metrics.hpp"
#include "protocols/bft/replica.hpp"
#include "sim/core/rng.hpp"
#include "sim/node/protocol.hpp"

namespace dltsim {
class Runtime;
}

namespace dltsim::bft {

/// The family's name (ProtocolInfo::family; attacks name it in AttackInfo::families).
inline constexpr const char* kFamily = "bft";

/// The BFT family's Consensus: protocols derive from it and make their replicas.
class BftConsensus : public Consensus {
 public:
  /// Reads the shared parameters; n is the node count.
  BftConsensus(const ProtocolSetup& setup, BftConfig config);

  void on_start(Runtime& runtime) override;
  void finish(Summary& summary, double end_time_s) override;
  std::uint64_t produced() const override { return metrics_.decisions(); }

  /// Replicas.
  std::uint32_t n() const { return n_; }
  /// Faults tolerated.
  std::uint32_t f() const { return f_; }
  /// Votes that make a quorum: 2f + 1.
  std::uint32_t quorum() const { return 2 * f_ + 1; }
  /// The leader of a view (round-robin).
  NodeId leader_of(std::uint64_t view) const { return static_cast<NodeId>(view % n_); }
  /// The leader of the highest view an honest, live replica is in: where clients send, and whose
  /// messages a targeted-delay adversary slows.
  NodeId current_leader() const;
  /// The leader of the highest view an honest, live replica has started: where clients send (a
  /// replica cut off from the others may be trying to change to a view that never starts).
  NodeId client_leader() const;
  /// Shared parameters.
  const BftConfig& config() const { return config_; }
  /// Metrics and safety monitor.
  BftMetrics& metrics() { return metrics_; }
  /// Replica `id` (after make_node).
  Replica& replica(NodeId id) { return *replicas_[id]; }
  /// An attack controls this replica (it is excluded from honest latencies and the monitor).
  void mark_faulty(NodeId id) { metrics_.set_faulty(id); }
  /// Honest replicas in id order (the halves an equivocator splits).
  std::vector<NodeId> honest_replicas() const;
  /// Counts a message sent (for messages per decision).
  void count_sent(MessageType type, std::uint32_t size, std::uint32_t recipients);
  /// Registers a message type and remembers its name.
  MessageType add_type(const std::string& name);

 protected:
  /// Keeps the replica a protocol made (call from make_node).
  void register_replica(NodeId id, Replica* replica) { replicas_[id] = replica; }

 private:
  void schedule_next_transaction();
  void submit(TxId tx);
  BftConfig config_;
  std::uint32_t n_;
  std::uint32_t f_;
  MessageTypes& types_;
  std::vector<std::string> type_names_;
  BftMetrics metrics_;
  std::vector<Replica*> replicas_;
  Rng workload_rng_;
  Runtime* runtime_ = nullptr;
  TxId next_tx_ = 0;
};

/// Registers a BFT protocol: its own parameters, then the shared ones (workload, batching, CPU
/// model), the shared tables, and a factory for its Consensus class.
template <class ConsensusClass>
void register_protocol(ProtocolRegistry& registry, std::string name, std::string summary,
                       std::vector<ParamSpec> own_params) {
  ProtocolInfo info;
  info.name = std::move(name);
  info.family = kFamily;
  info.summary = std::move(summary);
  info.params = std::move(own_params);
  for (ParamSpec& s : bft_param_specs()) info.params.push_back(std::move(s));
  info.tables = bft_table_names();
  info.make = [](const ProtocolSetup& setup) { return std::make_unique<ConsensusClass>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim::bft
