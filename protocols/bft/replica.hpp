#pragma once
// The common part of a BFT replica (PBFT, HotStuff, Tendermint): a CPU that handles received
// messages one at a time, each costing signature verifications and the validation of its bytes
// (so a leader that must verify n votes is a bottleneck); a mempool filled by the client workload
// and emptied into batches; sending with the Byzantine behaviours an attack can switch on (crash,
// silence as leader, vote withholding, equivocation to two halves of the honest replicas); and
// commit reporting to the run's metrics and safety monitor.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "protocols/bft/bft_types.hpp"
#include "sim/node/node_context.hpp"
#include "sim/node/protocol.hpp"

namespace dltsim::bft {

class BftConsensus;

/// What a message is, for the Byzantine behaviours and the processing cost.
enum class MessageKind {
  proposal,  ///< a leader's proposal of a value (carries a batch)
  vote,      ///< a vote on a value
  other,     ///< view change, new view, checkpoint
};

/// Conflicting values an equivocating coalition sends to the two halves of the honest replicas,
/// by slot (view and sequence, height and round, ...): shared by the replicas of one attack so that
/// their proposals and votes agree on which half sees which value.
class EquivocationPlan {
 public:
  /// The pair for a slot: the value the first half sees, and the second half's.
  std::pair<Digest, Digest> values(std::uint64_t slot, Digest proposed);
  /// Records the pair a proposal created.
  void record(std::uint64_t slot, Digest first, Digest second) { plan_[slot] = {first, second}; }

 private:
  std::map<std::uint64_t, std::pair<Digest, Digest>> plan_;
};

/// Byzantine behaviours an attack switches on and off (all off for an honest replica).
struct Behaviour {
  bool crashed = false;              ///< receives, sends and times out nothing
  bool silent_leader = false;        ///< sends no proposal
  bool withhold_votes = false;       ///< sends no vote
  bool equivocate = false;           ///< proposals and votes: one value to each half of the honest replicas
  EquivocationPlan* plan = nullptr;  ///< the coalition's values while equivocating
};

/// One replica's common machinery; a protocol derives from it.
class Replica : public Protocol {
 public:
  /// Replica `id` of `consensus`.
  Replica(BftConsensus& consensus, NodeId id);

  void on_start(NodeContext& ctx) final;
  void on_message(NodeContext& ctx, const Message& msg) final;
  void on_timer(NodeContext& ctx, std::uint64_t tag) final;
  void on_production_stopped(NodeContext& ctx) final;
  void on_reconnected(NodeContext& ctx, NodeId peer) final;

  /// This replica's id.
  NodeId id() const { return id_; }
  /// The behaviour attacks change.
  Behaviour& behaviour() { return behaviour_; }
  /// Crashes the replica, or recovers it (it then resumes from the state it had).
  void set_crashed(bool crashed);
  /// A client transaction arrived in this replica's mempool.
  void add_transaction(TxId tx);
  /// The view (round) this replica is in, for the leader hint.
  virtual std::uint64_t current_view() const = 0;
  /// The latest view this replica has started, which is what clients can learn from its replies: a
  /// view change still under way (PBFT) names a view nobody may ever start.
  virtual std::uint64_t established_view() const { return current_view(); }

 protected:
  /// Starts the protocol (time 0).
  virtual void start(NodeContext& ctx) = 0;
  /// A message, after its processing cost.
  virtual void handle(NodeContext& ctx, const Message& msg) = 0;
  /// A protocol timer (set with set_protocol_timer).
  virtual void timeout(NodeContext& ctx, std::uint64_t tag) = 0;
  /// Transactions arrived (a leader may propose); the default does nothing.
  virtual void transactions_arrived(NodeContext& /*ctx*/) {}
  /// The replica recovered from a crash: re-arm what its timers were doing.
  virtual void recovered(NodeContext& ctx) = 0;
  /// The connection to `peer` works again after messages on it were lost (a healed partition): with
  /// `retransmit`, send it what it may lack. The default does nothing.
  virtual void reconnected(NodeContext& /*ctx*/, NodeId /*peer*/) {}
  /// Signatures a received message carries (each costs a verification).
  virtual std::uint32_t signatures(const Message& msg) const = 0;
  /// The batch a received message carries, if any (its bytes and transactions cost validation).
  virtual const Batch* batch_of(const Message& msg) const = 0;

  /// Sets a protocol timer; returns its id.
  TimerId set_protocol_timer(NodeContext& ctx, double delay_s, std::uint64_t tag);
  /// Sends to one replica (nothing when crashed, silent or withholding, by kind).
  void send(NodeContext& ctx, NodeId to, MessageType type, std::uint32_t size, PayloadPtr payload,
            MessageKind kind);
  /// Sends to every other replica.
  void broadcast(NodeContext& ctx, MessageType type, std::uint32_t size, const PayloadPtr& payload,
                 MessageKind kind);
  /// Proposes `batch` for `slot` to every other replica; an equivocating leader sends a
  /// conflicting batch (same transactions, another digest) to the second half of the honest
  /// replicas. make(batch) builds the message payload; size(batch) its size.
  void broadcast_proposal(NodeContext& ctx, MessageType type, std::uint64_t slot, const BatchPtr& batch,
                          const std::function<std::uint32_t(const Batch&)>& size,
                          const std::function<PayloadPtr(const BatchPtr&)>& make);
  /// Votes for `digest` in `slot`, to one replica or (to == kNoNode) to every other replica; an
  /// equivocating voter sends the coalition's first value to the first half of the honest replicas
  /// and its second to the second half.
  void vote(NodeContext& ctx, NodeId to, MessageType type, std::uint32_t size, std::uint64_t slot,
            Digest digest, const std::function<PayloadPtr(Digest)>& make);
  /// Takes up to max_batch_size bytes of waiting transactions (not yet decided) into a new batch.
  /// Transactions in `in_flight` (carried by proposals not yet decided, such as a chained
  /// protocol's uncommitted ancestors) are left in the mempool: proposing them again would
  /// commit them twice and waste the block.
  BatchPtr take_batch(std::uint64_t slot, const std::unordered_set<TxId>& in_flight = {});
  /// True if the mempool holds a transaction not yet decided.
  bool has_pending_transactions();
  /// Bytes of the transactions waiting (decided ones may still be counted).
  double waiting_bytes() const { return static_cast<double>(mempool_.size()) * tx_bytes_; }
  /// Puts a batch's transactions back at the front of the mempool (its proposal failed).
  void return_batch(const Batch& batch);
  /// Reports a commit: metrics, safety monitor, stop condition.
  void commit(NodeContext& ctx, std::uint64_t height, const BatchPtr& batch, std::uint64_t view);
  /// Reports entering a view because the previous one failed.
  void view_changed(std::uint64_t view);
  /// False once the run's stop condition on decisions is met: propose nothing new.
  bool producing() const { return producing_; }
  /// The run-wide state.
  BftConsensus& consensus_;

 private:
  static constexpr std::uint64_t kCpuTag = std::uint64_t{1} << 63;
  void start_processing(NodeContext& ctx);
  double cost(const Message& msg) const;
  bool may_send(MessageKind kind) const;
  NodeId id_;
  Behaviour behaviour_;
  NodeContext* ctx_ = nullptr;
  std::deque<Message> inbox_;  // received, waiting for the CPU
  bool busy_ = false;
  std::uint64_t epoch_ = 0;  // timers from before a crash are ignored after it
  std::deque<TxId> mempool_;
  double tx_bytes_;
  bool producing_ = true;
};

}  // namespace dltsim::bft
