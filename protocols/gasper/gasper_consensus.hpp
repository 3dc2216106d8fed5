#pragma once
// Run-wide state of Gasper (Ethereum's proof of stake): the slot clock that gives each slot's
// proposer, attesters and aggregator their turn, the beacon blocks with their post-state
// checkpoints (Casper FFG applied at each epoch's end from the attestations the chain includes),
// the aggregates, and the results: slots with a block, reorgs, justification and finality.

#include <cstdint>
#include <memory>
#include <vector>

#include "protocols/gasper/beacon_blocks.hpp"
#include "protocols/gasper/committees.hpp"
#include "protocols/gasper/gasper_config.hpp"
#include "sim/metrics/log_histogram.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/node/protocol.hpp"

namespace dltsim {
class Runtime;
}

namespace dltsim::gasper {

class GasperNode;

/// The family's name (ProtocolInfo::family).
inline constexpr const char* kFamily = "gasper";

/// Index of an aggregate in the run's list.
using AggregateId = std::uint32_t;

/// The attestations of one slot that agree on their vote (head, FFG target and source), aggregated:
/// what gossip carries to every node and blocks include.
struct Aggregate {
  std::uint64_t slot;  ///< the attestations' slot
  BlockId head;        ///< LMD-GHOST vote
  Checkpoint target;   ///< FFG target
  Checkpoint source;   ///< FFG source
  double stake;        ///< validators in it
  std::uint8_t cls;    ///< 0: honest validators, 1: an attack's
};

/// Aggregates votes: one per distinct (slot, head, target, source, class), stakes added, in order of
/// first appearance.
std::vector<Aggregate> aggregate_votes(const std::vector<Aggregate>& votes);

/// Payload naming a block or an aggregate (shared by every message about it).
struct ItemRef : Payload {
  /// Block or aggregate id.
  std::uint32_t id;
  explicit ItemRef(std::uint32_t i) : id(i) {}
};

/// Payload of one node's attestation to its aggregator.
struct AttestationMsg : Payload {
  /// The vote (an Aggregate of one node's validators).
  Aggregate vote;
  explicit AttestationMsg(const Aggregate& v) : vote(v) {}
};

/// Message types.
struct GasperTypes {
  MessageType block;        ///< a beacon block (gossip)
  MessageType attestation;  ///< a node's attestation to its slot's aggregator (one hop)
  MessageType aggregate;    ///< an aggregate (gossip)
};

/// Gasper consensus.
class GasperConsensus final : public Consensus {
 public:
  /// Reads parameters, deals validators to nodes, declares tables.
  explicit GasperConsensus(const ProtocolSetup& setup);
  ~GasperConsensus() override;
  std::unique_ptr<Protocol> make_node(NodeId id) override;
  void on_start(Runtime& runtime) override;
  void finish(Summary& summary, double end_time_s) override;
  std::uint64_t produced() const override { return blocks_.size() - 1; }

  /// Parameters.
  const Config& config() const { return config_; }
  /// All blocks.
  const BeaconBlocks& blocks() const { return blocks_; }
  /// Duties.
  Committees& committees() { return committees_; }
  /// Message types.
  const GasperTypes& types() const { return types_; }
  /// One slot's committee weight (validators / slots per epoch).
  double committee_weight() const;
  /// Stake of each vote class (honest, adversarial).
  std::vector<double> class_stake() const;
  /// An attack controls this node: its validators are of the adversarial class.
  void mark_adversarial(NodeId node);
  /// True if an attack controls the node.
  bool adversarial(NodeId node) const { return adversarial_[node]; }
  /// An attack replaced node `id`'s behaviour with `node` (a GasperNode subclass).
  void set_node(NodeId id, GasperNode* node) { nodes_[id] = node; }
  /// A node's behaviour.
  GasperNode& node(NodeId id) { return *nodes_[id]; }
  /// The runtime (after on_start).
  Runtime& runtime() { return *runtime_; }
  /// The node aggregating `slot`'s attestations.
  NodeId aggregator(std::uint64_t slot);
  /// The slot at time t.
  std::uint64_t slot_at(double t_s) const { return static_cast<std::uint64_t>(t_s / config_.slot_s + 1e-9); }
  /// The start of a slot.
  double slot_start_s(std::uint64_t slot) const { return static_cast<double>(slot) * config_.slot_s; }
  /// An aggregate.
  const Aggregate& aggregate(AggregateId id) const { return aggregates_[id]; }
  /// Adds an aggregate; returns its id.
  AggregateId add_aggregate(const Aggregate& a);
  /// Builds `proposer`'s block of `slot` on `parent`, including what it has seen of `known`; applies
  /// the epoch processing between the parent's epoch and the slot's.
  BlockId produce(NodeId proposer, std::uint64_t slot, BlockId parent, const std::vector<AggregateId>& known,
                  double now_s);
  /// The shared payload naming block or aggregate `id`.
  PayloadPtr block_ref(BlockId id) const { return block_refs_[id]; }
  /// The shared payload naming aggregate `id`.
  PayloadPtr aggregate_ref(AggregateId id) const { return aggregate_refs_[id]; }
  /// A node received block b (for propagation).
  void on_arrival(NodeId node, BlockId b, double now_s);
  /// A node's head moved from old_head to new_head (for reorgs).
  void on_head_change(NodeId node, BlockId old_head, BlockId new_head, double now_s);
  /// The canonical head at the end: the head most honest nodes follow (ties: the lower block id).
  BlockId canonical_head();
  /// The last slot that ended by end_time_s.
  std::uint64_t last_slot(double end_time_s) const;
  /// The aggregates block b includes.
  const std::vector<AggregateId>& included(BlockId b) const { return included_[b]; }

 private:
  void slot_tick(std::uint64_t slot);
  FfgState epoch_transition(const FfgState& state, BlockId parent, std::uint64_t epoch) const;
  Config config_;
  Recorder& recorder_;
  SeedTree seeds_;
  std::uint32_t node_count_;
  BeaconBlocks blocks_;
  Committees committees_;
  GasperTypes types_;
  std::vector<bool> adversarial_;
  std::vector<Aggregate> aggregates_;
  std::vector<PayloadPtr> aggregate_refs_;
  std::vector<PayloadPtr> block_refs_;
  std::vector<std::vector<AggregateId>> included_;
  std::vector<GasperNode*> nodes_;
  Runtime* runtime_ = nullptr;
  std::uint64_t aggregator_slot_ = ~0ULL;  // the slot whose aggregator is cached
  NodeId aggregator_ = kNoNode;
  LogHistogram arrival_delay_;
  std::uint64_t reorgs_ = 0;
  std::uint32_t max_reorg_depth_ = 0;
  TableWriter* reorg_table_;
  TableWriter* slot_table_;
  TableWriter* epoch_table_;
};

/// Names of the tables Gasper can record.
std::vector<std::string> gasper_table_names();

}  // namespace dltsim::gasper
