#pragma once
// One beacon node: its fork-choice store and latest messages, gossip of blocks and aggregates to
// its peers (each forwarded once, to every peer it did not come from), and its validators' duties
// as the slot clock hands them out: propose on the head at the slot's start, attest when the slot's
// block arrives or at the attestation deadline (a third into the slot), and, as the slot's
// aggregator, publish one aggregate per distinct vote at two thirds. A block of the current slot
// that arrives before the attestation deadline gets the proposer boost until the slot ends.

#include <cstdint>
#include <map>
#include <vector>

#include "protocols/gasper/gasper_consensus.hpp"
#include "protocols/gasper/vote_book.hpp"

namespace dltsim::gasper {

/// Honest behaviour of a node.
class GasperNode : public Protocol {
 public:
  /// A node of `consensus`.
  GasperNode(GasperConsensus& consensus, NodeId id);
  void on_message(NodeContext& ctx, const Message& msg) override;

  /// The slot starts and this node proposes.
  virtual void propose(NodeContext& ctx, std::uint64_t slot);
  /// The attestation deadline of `slot`: attest if not done yet.
  void attest_deadline(NodeContext& ctx, std::uint64_t slot);
  /// The aggregation deadline of `slot`, at its aggregator.
  void publish_aggregates(NodeContext& ctx, std::uint64_t slot);
  /// The head now (fork choice at the current time).
  BlockId head(NodeContext& ctx);
  /// The store (for results).
  const ForkChoiceStore& store() const { return store_; }
  /// Stores a block made by this node's side without sending it (an adversary's withheld block).
  void learn_block(NodeContext& ctx, BlockId b);
  /// Sends a block this node already has to its peers, as if just received.
  void publish_block(NodeContext& ctx, BlockId b);
  /// Publishes a new aggregate (this node's or its side's votes).
  void publish_aggregate(NodeContext& ctx, AggregateId a) { accept_aggregate(ctx, a, kNoNode); }
  /// Aggregates seen recently (what a block may include).
  const std::vector<AggregateId>& known_aggregates() const { return known_; }

 protected:
  /// A block arrived (or was made here): store, boost, forward, then its waiting children.
  void accept_block(NodeContext& ctx, BlockId b, NodeId from);
  /// An aggregate arrived: forward, and count it from the slot after its own.
  void accept_aggregate(NodeContext& ctx, AggregateId a, NodeId from);
  /// Sends a gossiped item to every peer but `from`.
  void gossip(NodeContext& ctx, MessageType type, std::uint32_t size, const PayloadPtr& ref, NodeId from);
  /// This node's validators attest in `slot`: the vote on its head goes to cast_vote.
  void attest(NodeContext& ctx, std::uint64_t slot);
  /// Sends this node's vote to the slot's aggregator (an adversary may hold it back or change it).
  virtual void cast_vote(NodeContext& ctx, const Aggregate& vote);
  GasperConsensus& consensus_;
  NodeId id_;
  ForkChoiceStore store_;
  VoteBook book_;

 private:
  void refresh(NodeContext& ctx);
  void apply(AggregateId a);
  void track_head(NodeContext& ctx);
  std::vector<bool> seen_blocks_;
  std::vector<bool> seen_aggregates_;
  std::map<BlockId, std::vector<BlockId>> orphans_;            // parent -> children waiting for it
  std::map<BlockId, std::vector<AggregateId>> waiting_votes_;  // block -> aggregates voting for it
  std::vector<AggregateId> delayed_;                           // counted from the slot after theirs
  std::vector<AggregateId> known_;                             // recent aggregates, for inclusion
  std::vector<Aggregate> received_;                            // attestations, at the aggregator
  std::uint64_t slot_ = 0;                                     // the slot the store is in
  std::uint64_t attested_ = ~0ULL;                             // the last slot attested
  BlockId head_ = 0;
};

}  // namespace dltsim::gasper
