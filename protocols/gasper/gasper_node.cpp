#include "protocols/gasper/gasper_node.hpp"

#include <algorithm>
#include <memory>
#include <tuple>

namespace dltsim::gasper {

GasperNode::GasperNode(GasperConsensus& consensus, NodeId id)
    : consensus_(consensus),
      id_(id),
      store_(consensus.blocks(), consensus.committee_weight(), consensus.config().proposer_boost),
      book_(consensus.class_stake()),
      seen_blocks_(1, true) {}

void GasperNode::refresh(NodeContext& ctx) {
  const std::uint64_t now = consensus_.slot_at(ctx.now_s());
  if (now == slot_) return;
  slot_ = now;
  store_.set_boost(kNoBlock);  // on_tick: a new slot clears the proposer boost
  std::vector<AggregateId> later;
  for (const AggregateId a : delayed_) {
    if (consensus_.aggregate(a).slot < slot_) {
      apply(a);
    } else {
      later.push_back(a);
    }
  }
  delayed_.swap(later);
  // Keep for inclusion only what a block of this slot may still include (SLOTS_PER_EPOCH back).
  const std::uint64_t spe = consensus_.config().slots_per_epoch;
  known_.erase(std::remove_if(known_.begin(), known_.end(),
                              [&](AggregateId a) { return consensus_.aggregate(a).slot + spe < slot_; }),
               known_.end());
}

BlockId GasperNode::head(NodeContext& ctx) {
  refresh(ctx);
  return store_.head(slot_ / consensus_.config().slots_per_epoch);
}

void GasperNode::track_head(NodeContext& ctx) {
  const BlockId h = head(ctx);
  if (h != head_) {
    consensus_.on_head_change(id_, head_, h, ctx.now_s());
    head_ = h;
  }
}

void GasperNode::gossip(NodeContext& ctx, MessageType type, std::uint32_t size, const PayloadPtr& ref,
                        NodeId from) {
  if (ctx.broadcast_network()) {
    // The idealised network: the originator reaches every node directly and nobody relays.
    if (from != kNoNode) return;
    for (NodeId n = 0; n < ctx.node_count(); ++n) {
      if (n != id_) ctx.send(n, type, size, ref);
    }
    return;
  }
  for (const PeerLink& p : ctx.peers()) {
    if (p.peer != from) ctx.send(p.peer, type, size, ref);
  }
}

void GasperNode::learn_block(NodeContext& ctx, BlockId b) {
  if (b >= seen_blocks_.size()) seen_blocks_.resize(b + 1, false);
  seen_blocks_[b] = true;
  refresh(ctx);
  store_.on_block(b);
}

void GasperNode::publish_block(NodeContext& ctx, BlockId b) {
  gossip(ctx, consensus_.types().block, consensus_.config().block_size_bytes, consensus_.block_ref(b),
         kNoNode);
}

void GasperNode::on_message(NodeContext& ctx, const Message& msg) {
  const GasperTypes& t = consensus_.types();
  if (msg.type == t.block) {
    const BlockId b = msg.as<ItemRef>().id;
    if (b < seen_blocks_.size() && seen_blocks_[b]) return;
    if (b >= seen_blocks_.size()) seen_blocks_.resize(b + 1, false);
    seen_blocks_[b] = true;
    const BlockId parent = consensus_.blocks().parent(b);
    if (!store_.knows(parent)) {
      orphans_[parent].push_back(b);  // processed when the parent arrives
      return;
    }
    accept_block(ctx, b, msg.from);
    track_head(ctx);
    // Attest as soon as the slot's block is here (the honest validator guide).
    const std::uint64_t slot = consensus_.blocks().slot(b);
    if (slot == slot_ && attested_ != slot && consensus_.committees().count_of(id_, slot) > 0) {
      attest(ctx, slot);
    }
  } else if (msg.type == t.aggregate) {
    accept_aggregate(ctx, msg.as<ItemRef>().id, msg.from);
  } else if (msg.type == t.attestation) {
    received_.push_back(msg.as<AttestationMsg>().vote);
  }
}

void GasperNode::accept_block(NodeContext& ctx, BlockId b, NodeId from) {
  refresh(ctx);
  store_.on_block(b);
  consensus_.on_arrival(id_, b, ctx.now_s());
  const std::uint64_t slot = consensus_.blocks().slot(b);
  const double into_slot_s = ctx.now_s() - consensus_.slot_start_s(slot);
  if (slot == slot_ && into_slot_s < consensus_.config().timely_block_s && store_.boost_block() == kNoBlock) {
    store_.set_boost(b);
  }
  gossip(ctx, consensus_.types().block, consensus_.config().block_size_bytes, consensus_.block_ref(b), from);
  if (auto it = waiting_votes_.find(b); it != waiting_votes_.end()) {
    const std::vector<AggregateId> votes = std::move(it->second);
    waiting_votes_.erase(it);
    for (const AggregateId a : votes) apply(a);
  }
  if (auto it = orphans_.find(b); it != orphans_.end()) {
    const std::vector<BlockId> children = std::move(it->second);
    orphans_.erase(it);
    for (const BlockId c : children) accept_block(ctx, c, kNoNode);
  }
}

void GasperNode::accept_aggregate(NodeContext& ctx, AggregateId a, NodeId from) {
  if (a < seen_aggregates_.size() && seen_aggregates_[a]) return;
  if (a >= seen_aggregates_.size()) seen_aggregates_.resize(a + 1, false);
  seen_aggregates_[a] = true;
  refresh(ctx);
  gossip(ctx, consensus_.types().aggregate, consensus_.config().aggregate_bytes, consensus_.aggregate_ref(a),
         from);
  known_.push_back(a);
  // Attestations count in fork choice from the slot after theirs (validate_on_attestation).
  if (consensus_.aggregate(a).slot < slot_) {
    apply(a);
  } else {
    delayed_.push_back(a);
  }
}

void GasperNode::apply(AggregateId a) {
  const Aggregate& g = consensus_.aggregate(a);
  if (!store_.knows(g.head)) {
    waiting_votes_[g.head].push_back(a);
    return;
  }
  book_.add(store_, g.target.epoch, g.head, g.stake, g.cls);
}

void GasperNode::propose(NodeContext& ctx, std::uint64_t slot) {
  const BlockId parent = head(ctx);
  const BlockId b = consensus_.produce(id_, slot, parent, known_, ctx.now_s());
  ctx.count_produced();
  if (b >= seen_blocks_.size()) seen_blocks_.resize(b + 1, false);
  seen_blocks_[b] = true;
  accept_block(ctx, b, kNoNode);
  track_head(ctx);
}

void GasperNode::attest_deadline(NodeContext& ctx, std::uint64_t slot) {
  if (attested_ != slot) attest(ctx, slot);
}

void GasperNode::attest(NodeContext& ctx, std::uint64_t slot) {
  attested_ = slot;
  const std::uint32_t count = consensus_.committees().count_of(id_, slot);
  if (count == 0) return;
  const BeaconBlocks& blocks = consensus_.blocks();
  const BlockId h = head(ctx);
  const std::uint64_t epoch = slot / consensus_.config().slots_per_epoch;
  Aggregate vote{slot,
                 h,
                 blocks.checkpoint(h, epoch),
                 blocks.state(h).current_justified,
                 static_cast<double>(count),
                 static_cast<std::uint8_t>(consensus_.adversarial(id_) ? 1 : 0)};
  cast_vote(ctx, vote);
}

void GasperNode::cast_vote(NodeContext& ctx, const Aggregate& vote) {
  const NodeId to = consensus_.aggregator(vote.slot);
  if (to == id_) {
    received_.push_back(vote);
  } else {
    ctx.send(to, consensus_.types().attestation, consensus_.config().attestation_bytes,
             std::make_shared<const AttestationMsg>(vote));
  }
}

void GasperNode::publish_aggregates(NodeContext& ctx, std::uint64_t slot) {
  // One aggregate per distinct vote of this slot; late attestations of earlier slots are dropped.
  std::vector<Aggregate> of_slot;
  for (const Aggregate& v : received_) {
    if (v.slot == slot) of_slot.push_back(v);
  }
  received_.clear();
  for (const Aggregate& m : aggregate_votes(of_slot))
    accept_aggregate(ctx, consensus_.add_aggregate(m), kNoNode);
}

}  // namespace dltsim::gasper
