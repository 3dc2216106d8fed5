#include "protocols/longest_chain/chain_node.hpp"

#include <algorithm>
#include <cmath>

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include "protocols/longest_chain/compact_block.hpp"
#include "sim/core/sampling.hpp"
#include "sim/node/node_context.hpp"

namespace dltsim::longest_chain {

ChainNode::ChainNode(LongestChainConsensus& consensus, NodeId id)
    : consensus_(consensus),
      view_(consensus.tree(), consensus.config().fork_choice),
      id_(id),
      mining_rng_(consensus.mining_rng(id)) {
  if (consensus.transactions() != nullptr) tx_relay_ = std::make_unique<TxRelay>(consensus, id);
}

void ChainNode::on_wallet(NodeContext& ctx, TxId tx) {
  if (tx_relay_) tx_relay_->on_wallet(ctx, tx);
}

void ChainNode::on_start(NodeContext& ctx) {
  mining_ = ctx.power_share() > 0;
  if (mining_) schedule_mining(ctx);
}

void ChainNode::schedule_mining(NodeContext& ctx) {
  // The next chance does not depend on the head (a Poisson process is memoryless, a slot lottery
  // is drawn per slot), so the timer is never restarted when the head changes.
  const double wait_s = consensus_.production().next_wait_s(mining_rng_, ctx.power_share(), ctx.now_s());
  mining_timer_ = ctx.set_timer(wait_s, tag(kMine, 0));
}

void ChainNode::on_production_stopped(NodeContext& ctx) {
  if (mining_ && !offline_) ctx.cancel_timer(mining_timer_);
  mining_ = false;
  consensus_.production().on_stopped(ctx.now_s());
}

void ChainNode::on_reconnected(NodeContext& ctx, NodeId peer) {
  // The peer fetches what it lacks: the head, then each missing parent from us (orphan handling).
  if (view_.head() != 0)  // block 0 is genesis: everyone has it
    ctx.send(peer, consensus_.types().inv, kInvSizeBytes, consensus_.ref(view_.head()));
}

void ChainNode::on_offline(NodeContext& ctx) {
  offline_ = true;
  if (mining_) ctx.cancel_timer(mining_timer_);
}

void ChainNode::on_online(NodeContext& ctx) {
  offline_ = false;
  if (mining_ && ctx.producing()) schedule_mining(ctx);
}

void ChainNode::on_peer_lost(NodeContext& ctx, NodeId peer) {
  if (tx_relay_) tx_relay_->on_peer_lost(ctx, peer);
  // Block ids in increasing order: the order of the new requests does not depend on the hash map.
  std::vector<BlockId> stalled;
  for (auto& [block, req] : requests_) {
    if (req.asked > 0 && req.announcers[req.asked - 1] == peer) stalled.push_back(block);
    // It cannot be asked any more.
    const auto rest = req.announcers.begin() + static_cast<std::ptrdiff_t>(req.asked);
    req.announcers.erase(std::remove(rest, req.announcers.end(), peer), req.announcers.end());
  }
  std::sort(stalled.begin(), stalled.end());
  for (const BlockId block : stalled) {
    const auto it = requests_.find(block);
    ctx.cancel_timer(it->second.timeout);
    ask_next(ctx, block, it->second);
  }
}

void ChainNode::on_timer(NodeContext& ctx, std::uint64_t t) {
  if ((t >> 56) == kTxTimerMarker) return tx_relay_->on_timer(ctx, t);
  const auto kind = static_cast<TimerKind>(t >> 32);
  const auto block = static_cast<BlockId>(t & 0xffffffffu);
  switch (kind) {
    case kMine:
      if (!ctx.producing()) return;
      consensus_.production().on_chance(id_, ctx.now_s());
      on_mined(ctx);
      if (ctx.producing()) schedule_mining(ctx);
      break;
    case kValidate: {
      const auto it = validating_.find(block);
      const NodeId from = it->second;
      validating_.erase(it);
      connect(ctx, block, from);
      break;
    }
    case kRequestTimeout: {
      const auto it = requests_.find(block);
      if (it == requests_.end()) return;
      ask_next(ctx, block, it->second);
      break;
    }
  }
}

void ChainNode::on_message(NodeContext& ctx, const Message& msg) {
  const MessageTypeIds& t = consensus_.types();
  if (msg.type == t.sendcmpct) {
    on_sendcmpct(msg.from, msg.as<HighBandwidth>().on);
    return;
  }
  if (tx_relay_ &&
      (msg.type == t.tx_inv || msg.type == t.tx_getdata || msg.type == t.tx || msg.type == t.tx_stem)) {
    tx_relay_->on_message(ctx, msg);
    return;
  }
  const BlockId block = msg.as<BlockRef>().block;
  if (msg.type == t.inv) {
    on_inv(ctx, block, msg.from);
  } else if (msg.type == t.getdata) {
    on_getdata(ctx, block, msg.from);
  } else if (msg.type == t.cmpctblock) {
    on_compact(ctx, block, msg.from);
  } else if (msg.type == t.getblocktxn) {
    std::uint32_t size = consensus_.config().compact.blocktxn_bytes;
    if (tx_relay_) {
      // BlockTransactions: the hash, the count and the transactions the requester lacked.
      const auto& m = msg.as<MissingTxs>();
      size = kMessageHeaderBytes + kBlockHashBytes + compact_size_bytes(m.count) +
             static_cast<std::uint32_t>(m.bytes);
    }
    ctx.send(msg.from, t.blocktxn, size, consensus_.ref(block));
  } else if (msg.type == t.block || msg.type == t.blocktxn) {
    on_block_data(ctx, block, msg.from);
  }
}

void ChainNode::on_inv(NodeContext& ctx, BlockId block, NodeId from) {
  if (has_or_validating(block)) return;
  auto it = requests_.find(block);
  if (it != requests_.end()) {
    auto& ann = it->second.announcers;
    if (std::find(ann.begin(), ann.end(), from) == ann.end()) ann.push_back(from);
    return;
  }
  request(ctx, block, from);
}

void ChainNode::request(NodeContext& ctx, BlockId block, NodeId from) {
  Request& req = requests_[block];
  req.announcers.push_back(from);
  ask_next(ctx, block, req);
}

void ChainNode::ask_next(NodeContext& ctx, BlockId block, Request& req) {
  if (req.asked >= req.announcers.size()) {
    requests_.erase(block);  // nobody left to ask; a later inv starts over
    return;
  }
  const NodeId peer = req.announcers[req.asked++];
  ctx.send(peer, consensus_.types().getdata, kInvSizeBytes, consensus_.ref(block));
  req.timeout = ctx.set_timer(download_timeout_s(peer), tag(kRequestTimeout, block));
}

double ChainNode::download_timeout_s(NodeId peer) const {
  // Bitcoin Core: base + per_peer x the other peers a block download is in flight from.
  std::vector<NodeId> others;
  for (const auto& [b, r] : requests_) {
    if (r.asked == 0) continue;
    const NodeId p = r.announcers[r.asked - 1];
    if (p != peer && std::find(others.begin(), others.end(), p) == others.end()) others.push_back(p);
  }
  const Config& c = consensus_.config();
  return c.download_timeout_base_s + c.download_timeout_per_peer_s * static_cast<double>(others.size());
}

void ChainNode::on_getdata(NodeContext& ctx, BlockId block, NodeId from) {
  if (!view_.knows(block)) return;
  if (consensus_.speaks_compact(id_) && consensus_.speaks_compact(from)) {
    ctx.send(from, consensus_.types().cmpctblock, compact_bytes(block), consensus_.ref(block));
  } else {
    ctx.send(from, consensus_.types().block, consensus_.tree().get(block).size_bytes, consensus_.ref(block));
  }
}

void ChainNode::on_compact(NodeContext& ctx, BlockId block, NodeId from) {
  if (has_or_validating(block)) return;
  const Config& c = consensus_.config();
  if (TransactionLayer* layer = consensus_.transactions()) {
    // Rebuilt from this node's mempool: what it lacks comes in a getblocktxn / blocktxn round trip.
    const auto [count, bytes] = layer->missing(id_, block);
    layer->metrics().on_compact_block(count);
    if (count > 0) {
      const std::uint32_t size = kMessageHeaderBytes + kBlockHashBytes + compact_size_bytes(count) +
                                 static_cast<std::uint32_t>(count);  // 1-byte index gaps
      ctx.send(from, consensus_.types().getblocktxn, size,
               std::make_shared<const MissingTxs>(block, count, bytes));
      return;
    }
    on_block_data(ctx, block, from);
    return;
  }
  if (boost::random::bernoulli_distribution<>(c.compact_failure_rate)(ctx.rng()) && c.compact.missing > 0) {
    ctx.send(from, consensus_.types().getblocktxn, c.compact.getblocktxn_bytes, consensus_.ref(block));
    return;
  }
  on_block_data(ctx, block, from);
}

void ChainNode::on_block_data(NodeContext& ctx, BlockId block, NodeId from) {
  if (has_or_validating(block)) return;
  if (const auto it = requests_.find(block); it != requests_.end()) ctx.cancel_timer(it->second.timeout);
  const double delay_s = consensus_.config().validation_delay_s;
  if (delay_s > 0) {
    validating_.emplace(block, from);
    ctx.compute(delay_s, tag(kValidate, block));  // the node's CPU: validations (and floods) share it
    return;
  }
  connect(ctx, block, from);
}

void ChainNode::connect(NodeContext& ctx, BlockId block, NodeId from) {
  const BlockId parent = consensus_.tree().get(block).parent;
  if (!view_.knows(parent)) {
    // Arrived before its parent (a chain published at once): wait for the parent, fetch it from the
    // peer that sent the child.
    orphans_[parent].emplace_back(block, from);
    held_.insert(block);
    if (!has_or_validating(parent) && requests_.count(parent) == 0) {
      late_fetches_.insert(parent);  // nobody announced it to us: its branch was not ours
      request(ctx, parent, from);
    }
    return;
  }
  on_block(ctx, block, from);
  requests_.erase(block);
  // Children that were waiting for this block.
  const auto it = orphans_.find(block);
  if (it == orphans_.end()) return;
  const auto children = std::move(it->second);
  orphans_.erase(it);
  for (const auto& [child, child_from] : children) {
    held_.erase(child);
    connect(ctx, child, child_from);
  }
}

void ChainNode::on_block(NodeContext& ctx, BlockId block, NodeId from) {
  const ViewUpdate u = accept(ctx, block);
  if (u.head_changed) promote_high_bandwidth(ctx, from);
  // Like Bitcoin Core, relay only blocks that become the head (a losing fork is not relayed). With
  // random tie-breaking, also relay a block that ties the head: Eyal and Sirer's fix propagates both
  // branches so that every node gets to choose.
  // In the idealised network the producer sent the block to everyone: nothing to relay.
  // With relay: all (Ethereum), every valid block goes on, so that stale blocks reach miners as uncles.
  if (ctx.broadcast_network()) return;
  const Config& c = consensus_.config();
  const BlockTree& tree = consensus_.tree();
  const bool tie = tree.chain_weight(block) == tree.chain_weight(view_.head());
  if (u.head_changed || c.relay_all || (tie && c.tie_rule.kind == TieBreak::random))
    announce(ctx, block, from);
}

void ChainNode::on_mined(NodeContext& ctx) {
  const BlockId block =
      produce_block(ctx, consensus_.production().parent_for(consensus_.tree(), view_.head(), ctx.now_s()));
  accept(ctx, block);
  announce(ctx, block, kNoNode);
}

BlockId ChainNode::produce_block(NodeContext& ctx, BlockId parent, bool adversarial) {
  auto size = static_cast<std::uint32_t>(consensus_.config().block_size_bytes);
  BlockTree& tree = consensus_.tree();
  const std::vector<BlockId> uncles = consensus_.uncles() ? pick_uncles(parent) : std::vector<BlockId>{};
  std::vector<TxId> txs;
  TransactionLayer* layer = consensus_.transactions();
  if (layer != nullptr) {
    // The template from this node's mempool (it holds what its chain has not confirmed; a block on
    // another parent than its head is rare enough to be built from the same pool).
    const double refresh_s = layer->spec().template_refresh_s;
    const double age_s =
        refresh_s > 0 ? boost::random::uniform_real_distribution<double>(0, refresh_s)(ctx.rng()) : 0;
    const double now_s = ctx.now_s();
    txs = layer->block_template(id_, now_s - age_s, [this, now_s](TxId tx) { return leaves_out(tx, now_s); });
    double bytes = kBlockHeaderBytes + compact_size_bytes(txs.size() + 1) + kCoinbaseBytes;
    for (const TxId tx : txs) bytes += layer->table().get(tx).size_bytes;
    size = static_cast<std::uint32_t>(bytes);
  }
  const BlockId block = tree.add(parent, id_, ctx.now_s(), size, 1.0, adversarial);
  if (layer != nullptr) layer->set_block(block, std::move(txs));
  if (consensus_.uncles()) tree.set_uncles(block, uncles);
  ctx.count_produced();
  return block;
}

std::vector<BlockId> ChainNode::pick_uncles(BlockId parent) const {
  // Ethereum's rule: an uncle is a known block d = 1..uncle_depth heights below the new block, not on
  // its chain, whose parent is; not referenced before by the chain. Closest first (the largest
  // reward), then in production order.
  const Config& c = consensus_.config();
  const BlockTree& tree = consensus_.tree();
  const std::uint32_t height = tree.get(parent).height + 1;
  std::vector<BlockId> referenced;
  for (BlockId b = parent; b != 0 && tree.get(b).height + c.uncle_depth >= height; b = tree.get(b).parent) {
    for (std::uint32_t i = 0; i < tree.uncle_count(b); ++i) referenced.push_back(tree.uncle(b, i));
  }
  std::vector<BlockId> picked;
  for (std::uint32_t d = 1; d <= c.uncle_depth && d < height; ++d) {
    const BlockId on_chain = tree.ancestor_at(parent, height - d);
    for (BlockId u = tree.first_child(tree.get(on_chain).parent); u != kNoBlock; u = tree.next_sibling(u)) {
      if (u == on_chain || !view_.knows(u)) continue;
      if (std::find(referenced.begin(), referenced.end(), u) != referenced.end()) continue;
      picked.push_back(u);
      if (picked.size() == c.max_uncles) return picked;
    }
  }
  return picked;
}

ViewUpdate ChainNode::accept(NodeContext& ctx, BlockId block) {
  const ViewUpdate u = view_.add(block, consensus_.config().tie_rule, ctx.rng());
  if (tx_relay_ && u.head_changed) tx_relay_->on_head_changed(ctx, u.old_head, view_.head());
  consensus_.metrics().on_arrival(block, id_, ctx.now_s(), late_fetches_.erase(block) > 0);
  if (u.head_changed && u.reorg_depth > 0) {
    consensus_.metrics().on_reorg(id_, ctx.now_s(), u.old_head, block, u.reorg_depth);
  }
  return u;
}

void ChainNode::announce(NodeContext& ctx, BlockId block, NodeId except) {
  if (ctx.broadcast_network()) {
    // The textbook network: the block itself goes straight to every node (a complete graph).
    const PayloadPtr& ref = consensus_.ref(block);
    for (const PeerLink& p : ctx.peers()) {
      if (p.peer != except)
        ctx.send(p.peer, consensus_.types().block, consensus_.tree().get(block).size_bytes, ref);
    }
    return;
  }
  const std::vector<NodeId>* holders = nullptr;
  if (const auto it = requests_.find(block); it != requests_.end()) holders = &it->second.announcers;
  const PayloadPtr& ref = consensus_.ref(block);
  if (consensus_.config().push_sqrt) return push(ctx, block, except, holders);
  for (const PeerLink& p : ctx.peers()) {
    if (p.peer == except) continue;
    if (holders != nullptr && std::find(holders->begin(), holders->end(), p.peer) != holders->end()) continue;
    // A peer that asked for high-bandwidth relay gets the compact block itself, unannounced.
    if (std::find(hb_listeners_.begin(), hb_listeners_.end(), p.peer) != hb_listeners_.end()) {
      ctx.send(p.peer, consensus_.types().cmpctblock, compact_bytes(block), ref);
      continue;
    }
    ctx.send(p.peer, consensus_.types().inv, kInvSizeBytes, ref);
  }
}

void ChainNode::push(NodeContext& ctx, BlockId block, NodeId except, const std::vector<NodeId>* holders) {
  // geth 1.9 (eth/handler.go BroadcastBlock): the whole block to sqrt(n) of the n peers that lack it,
  // at least 4, chosen at random; a hash announcement to the others.
  std::vector<NodeId> lacking;
  for (const PeerLink& p : ctx.peers()) {
    if (p.peer == except) continue;
    if (holders != nullptr && std::find(holders->begin(), holders->end(), p.peer) != holders->end()) continue;
    lacking.push_back(p.peer);
  }
  const auto k =
      std::min(lacking.size(),
               std::max<std::size_t>(kMinPushPeers, static_cast<std::size_t>(std::sqrt(lacking.size()))));
  shuffle_front(lacking, k, ctx.rng());
  const PayloadPtr& ref = consensus_.ref(block);
  const std::uint32_t size = consensus_.tree().get(block).size_bytes;
  for (std::size_t i = 0; i < lacking.size(); ++i) {
    if (i < k) {
      ctx.send(lacking[i], consensus_.types().block, size, ref);
    } else {
      ctx.send(lacking[i], consensus_.types().inv, kInvSizeBytes, ref);
    }
  }
}

void ChainNode::promote_high_bandwidth(NodeContext& ctx, NodeId from) {
  // Bitcoin Core's rule: the peers that most recently gave us a new block first become (or stay)
  // our high-bandwidth peers; the oldest of them is told to stop when a new one comes in.
  const std::uint32_t k = consensus_.config().high_bandwidth_peers;
  if (k == 0 || from == kNoNode || !consensus_.speaks_compact(id_) || !consensus_.speaks_compact(from))
    return;
  const auto it = std::find(hb_peers_.begin(), hb_peers_.end(), from);
  if (it != hb_peers_.end()) {
    std::rotate(hb_peers_.begin(), it, it + 1);
    return;
  }
  hb_peers_.insert(hb_peers_.begin(), from);
  ctx.send(from, consensus_.types().sendcmpct, kSendCmpctBytes, consensus_.high_bandwidth(true));
  if (hb_peers_.size() > k) {
    ctx.send(hb_peers_.back(), consensus_.types().sendcmpct, kSendCmpctBytes,
             consensus_.high_bandwidth(false));
    hb_peers_.pop_back();
  }
}

std::uint32_t ChainNode::compact_bytes(BlockId block) const {
  const TransactionLayer* layer = consensus_.transactions();
  if (layer == nullptr) return consensus_.config().compact.cmpctblock_bytes;
  // HeaderAndShortIDs with the block's own transactions: a short id each, the coinbase prefilled.
  const std::uint64_t n = layer->block(block).size();
  return kMessageHeaderBytes + kBlockHeaderBytes + kShortIdNonceBytes + compact_size_bytes(n) +
         kShortIdBytes * static_cast<std::uint32_t>(n) + compact_size_bytes(1) + compact_size_bytes(0) +
         kCoinbaseBytes;
}

void ChainNode::on_sendcmpct(NodeId from, bool on) {
  const auto it = std::find(hb_listeners_.begin(), hb_listeners_.end(), from);
  if (on && it == hb_listeners_.end()) hb_listeners_.push_back(from);
  if (!on && it != hb_listeners_.end()) hb_listeners_.erase(it);
}

}  // namespace dltsim::longest_chain
