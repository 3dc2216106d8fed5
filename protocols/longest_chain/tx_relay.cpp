#include "protocols/longest_chain/tx_relay.hpp"

#include <algorithm>
#include <cmath>

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include "protocols/longest_chain/compact_block.hpp"
#include "protocols/longest_chain/longest_chain_consensus.hpp"
#include "sim/core/sampling.hpp"

namespace dltsim::longest_chain {

namespace {

// An inv or getdata entry: type (4 bytes) and hash (32).
constexpr std::uint32_t kInvEntryBytes = 36;

std::uint32_t inv_bytes(std::size_t entries) {
  return kMessageHeaderBytes + compact_size_bytes(entries) +
         kInvEntryBytes * static_cast<std::uint32_t>(entries);
}

double exponential_s(double mean_s, Rng& rng) {
  return boost::random::exponential_distribution<double>(1 / mean_s)(rng);
}

double embargo_s(const StemSpec& spec, Rng& rng) {
  switch (spec.embargo_law) {
    case EmbargoLaw::exponential:
      return spec.embargo_min_s + exponential_s(spec.embargo_s, rng);
    case EmbargoLaw::poisson:
      return spec.embargo_min_s + boost::random::poisson_distribution<int, double>(spec.embargo_s)(rng);
    case EmbargoLaw::uniform:
      return spec.embargo_min_s +
             boost::random::uniform_real_distribution<double>(0, 2 * spec.embargo_s)(rng);
  }
  return spec.embargo_min_s + spec.embargo_s;
}

}  // namespace

void TxRelay::KnownWindow::mark(TxId tx) {
  if (!any_) {
    hi_ = tx;
    any_ = true;
  } else if (tx > hi_) {
    // Slide the window: ids that leave it are forgotten.
    if (tx - hi_ >= kSpan) {
      bits_.fill(0);
    } else {
      for (TxId i = hi_ + 1; i <= tx; ++i) bits_[(i % kSpan) / 64] &= ~(std::uint64_t{1} << (i % 64));
    }
    hi_ = tx;
  } else if (hi_ - tx >= kSpan) {
    return;  // older than the window
  }
  bits_[(tx % kSpan) / 64] |= std::uint64_t{1} << (tx % 64);
}

bool TxRelay::KnownWindow::has(TxId tx) const {
  if (!any_ || tx > hi_ || hi_ - tx >= kSpan) return false;
  return (bits_[(tx % kSpan) / 64] >> (tx % 64)) & 1;
}

TxRelay::TxRelay(LongestChainConsensus& consensus, NodeId id) : consensus_(consensus), id_(id) {}

TxRelay::Link& TxRelay::link(NodeContext& ctx, NodeId peer) {
  const auto it = std::lower_bound(peer_of_.begin(), peer_of_.end(), peer);
  const auto i = static_cast<std::size_t>(it - peer_of_.begin());
  if (it != peer_of_.end() && *it == peer) return links_[i];
  return links_[insert_link(ctx, i, peer)];
}

std::size_t TxRelay::insert_link(NodeContext& ctx, std::size_t at, NodeId peer) {
  links_.insert(links_.begin() + static_cast<std::ptrdiff_t>(at),
                Link{peer, ctx.opened(peer), {}, false, {}});
  peer_of_.insert(peer_of_.begin() + static_cast<std::ptrdiff_t>(at), peer);
  return at;
}

void TxRelay::on_wallet(NodeContext& ctx, TxId tx) {
  TransactionLayer& layer = *consensus_.transactions();
  if (layer.spec().stem.enabled) {
    // The source always sends its own transaction along the stem (Dandelion's first hop).
    if (layer.receive_stem(id_, tx, kNoNode, ctx.now_s())) send_stem(ctx, tx, kNoNode);
    return;
  }
  if (layer.receive(id_, tx, kNoNode, ctx.now_s()) == TxAccept::accepted) relay(ctx, tx, kNoNode);
}

void TxRelay::draw_epoch(NodeContext& ctx, std::int64_t epoch) {
  const StemSpec& spec = consensus_.transactions()->spec().stem;
  stem_.epoch = epoch;
  std::vector<NodeId> outbound, all;
  for (const PeerLink& p : ctx.peers()) {
    all.push_back(p.peer);
    if (ctx.opened(p.peer)) outbound.push_back(p.peer);
  }
  // Relays are outbound peers (the attacker does not choose them); a node without any uses any peer.
  std::vector<NodeId>& pool = outbound.empty() ? all : outbound;
  stem_.relays = sample(std::move(pool), std::min<std::size_t>(spec.relays, pool.size()), ctx.rng());
  std::sort(stem_.relays.begin(), stem_.relays.end());
  stem_.edges.clear();
  stem_.own = kNoNode;
  if (!stem_.relays.empty()) {
    stem_.own = stem_.relays[boost::random::uniform_int_distribution<std::size_t>(
        0, stem_.relays.size() - 1)(ctx.rng())];
  }
  stem_.diffuser = spec.fluff == FluffRule::per_epoch &&
                   boost::random::bernoulli_distribution<double>(spec.fluff_probability)(ctx.rng());
}

void TxRelay::refresh_epoch(NodeContext& ctx) {
  const StemSpec& spec = consensus_.transactions()->spec().stem;
  if (stem_.offset_s < 0)
    stem_.offset_s = boost::random::uniform_real_distribution<double>(0, spec.epoch_s)(ctx.rng());
  const auto epoch = static_cast<std::int64_t>(std::floor((ctx.now_s() + stem_.offset_s) / spec.epoch_s));
  bool lost = false;
  for (const NodeId r : stem_.relays) {
    bool connected = false;
    for (const PeerLink& p : ctx.peers()) connected = connected || p.peer == r;
    lost = lost || !connected;
  }
  // A new epoch, or a relay gone (churn): the relays and the role are drawn again.
  if (epoch != stem_.epoch || lost) draw_epoch(ctx, epoch);
}

NodeId TxRelay::stem_relay(NodeContext& ctx, NodeId from) {
  const StemSpec& spec = consensus_.transactions()->spec().stem;
  refresh_epoch(ctx);
  if (stem_.relays.empty()) return kNoNode;
  const auto any = [&ctx, this] {
    return stem_
        .relays[boost::random::uniform_int_distribution<std::size_t>(0, stem_.relays.size() - 1)(ctx.rng())];
  };
  if (spec.routing == StemRouting::per_transaction) return any();
  if (from == kNoNode) return stem_.own;
  for (const auto& [peer, relay] : stem_.edges) {
    if (peer == from) return relay;
  }
  stem_.edges.emplace_back(from, any());
  return stem_.edges.back().second;
}

void TxRelay::send_stem(NodeContext& ctx, TxId tx, NodeId from) {
  TransactionLayer& layer = *consensus_.transactions();
  const StemSpec& spec = layer.spec().stem;
  // A relayer passes it on; a diffuser (this epoch, or this hop's coin) turns it to fluff. The source
  // (from == kNoNode) always passes it on.
  bool to_fluff = false;
  if (from != kNoNode) {
    refresh_epoch(ctx);
    to_fluff = spec.fluff == FluffRule::per_hop
                   ? boost::random::bernoulli_distribution<double>(spec.fluff_probability)(ctx.rng())
                   : stem_.diffuser;
  }
  const NodeId relay_to = to_fluff ? kNoNode : stem_relay(ctx, from);
  if (relay_to == kNoNode) {
    fluff(ctx, tx, from);
    return;
  }
  link(ctx, relay_to).known.mark(tx);
  ctx.send(relay_to, consensus_.types().tx_stem, kMessageHeaderBytes + layer.table().get(tx).size_bytes,
           consensus_.tx_ref(tx));
  // The fail-safe: if the transaction is not seen in fluff before the embargo ends, spread it.
  ctx.set_timer(embargo_s(spec, ctx.rng()), tag(kEmbargo, 0, tx));
}

void TxRelay::on_stem(NodeContext& ctx, TxId tx, NodeId from) {
  TransactionLayer& layer = *consensus_.transactions();
  link(ctx, from).known.mark(tx);
  const std::uint8_t st = layer.state(id_, tx);
  if ((st & kTxStem) != 0) {
    // It came back on the stem (a loop of relays, or a second edge): fluff it, as Monero does.
    fluff(ctx, tx, from);
    return;
  }
  if (!layer.receive_stem(id_, tx, from, ctx.now_s())) return;  // already in fluff here
  send_stem(ctx, tx, from);
}

void TxRelay::fluff(NodeContext& ctx, TxId tx, NodeId except) {
  TransactionLayer& layer = *consensus_.transactions();
  layer.clear(id_, tx, kTxStem);
  if (layer.accept(id_, tx, ctx.now_s()) == TxAccept::accepted) relay(ctx, tx, except);
}

void TxRelay::relay(NodeContext& ctx, TxId tx, NodeId except) {
  const TxSpec& spec = consensus_.transactions()->spec();
  // Peers and links are both in peer-id order: walk them together.
  std::size_t i = 0;
  for (const PeerLink& p : ctx.peers()) {
    while (i < peer_of_.size() && peer_of_[i] < p.peer) ++i;
    if (i == peer_of_.size() || peer_of_[i] != p.peer) insert_link(ctx, i, p.peer);
    if (p.peer == except) continue;
    Link& l = links_[i];
    if (l.known.has(tx)) continue;
    if (spec.relay == TxRelayMode::diffusion) {
      ctx.set_timer(exponential_s(spec.diffusion_delay_s, ctx.rng()), tag(kDiffuse, p.peer, tx));
      continue;
    }
    l.queue.push_back(tx);
    arm(ctx, l);
  }
}

void TxRelay::arm(NodeContext& ctx, Link& l) {
  // The timers tick as Poisson processes whether or not anything is queued; by memorylessness the
  // wait from the moment something is queued to the next tick is exponential with the same mean.
  const TxSpec& spec = consensus_.transactions()->spec();
  if (l.outbound) {
    if (l.timer_set) return;
    l.timer_set = true;
    ctx.set_timer(exponential_s(spec.outbound_interval_s, ctx.rng()), tag(kTrickleOutbound, l.peer, 0));
  } else {
    if (inbound_timer_set_) return;
    inbound_timer_set_ = true;
    ctx.set_timer(exponential_s(spec.inbound_interval_s, ctx.rng()), tag(kTrickleInbound, 0, 0));
  }
}

void TxRelay::on_timer(NodeContext& ctx, std::uint64_t t) {
  const auto kind = static_cast<Kind>((t >> 52) & 0xf);
  const auto peer = static_cast<NodeId>((t >> 32) & 0xfffff);
  const auto tx = static_cast<TxId>(t & 0xffffffffu);
  switch (kind) {
    case kTrickleOutbound:
      for (Link& l : links_) {
        if (l.peer == peer) {
          l.timer_set = false;
          trickle(ctx, l);
        }
      }
      break;
    case kTrickleInbound:
      inbound_timer_set_ = false;
      // One tick for every inbound peer, in link order (the order they were first used).
      for (std::size_t i = 0; i < links_.size(); ++i) {
        if (!links_[i].outbound) trickle(ctx, links_[i]);
      }
      break;
    case kTimeout:
      on_due(ctx, timeouts_, kTimeout);
      break;
    case kReady:
      on_due(ctx, ready_, kReady);
      break;
    case kEmbargo:
      if ((consensus_.transactions()->state(id_, tx) & kTxStem) != 0) fluff(ctx, tx, kNoNode);
      break;
    case kDiffuse: {
      const TransactionLayer& layer = *consensus_.transactions();
      bool connected = false;
      for (const PeerLink& p : ctx.peers()) connected = connected || p.peer == peer;
      if (!connected || (layer.state(id_, tx) & kTxPooled) == 0) break;
      Link& l = link(ctx, peer);
      if (!l.known.has(tx)) send_inv(ctx, l, {tx});
      break;
    }
  }
}

void TxRelay::trickle(NodeContext& ctx, Link& l) {
  if (l.queue.empty()) return;
  const TransactionLayer& layer = *consensus_.transactions();
  const TxSpec& spec = layer.spec();
  // What the peer already has, or what left our mempool (confirmed, replaced, evicted), is not announced.
  std::vector<TxId> q;
  q.reserve(l.queue.size());
  for (const TxId tx : l.queue) {
    if (!l.known.has(tx) && (layer.state(id_, tx) & kTxPooled) != 0) q.push_back(tx);
  }
  // Core sends the highest fee rates first (CompareInvMempoolOrder), at most INVENTORY_BROADCAST_TARGET
  // plus 5 per 1,000 queued, and never more than INVENTORY_BROADCAST_MAX; the rest waits.
  const std::size_t limit = std::min<std::size_t>(spec.inv_max, spec.inv_target + (q.size() / 1000) * 5);
  if (q.size() > limit) {
    std::stable_sort(q.begin(), q.end(), [&layer](TxId a, TxId b) {
      return layer.table().get(a).fee_rate_sat_vb > layer.table().get(b).fee_rate_sat_vb;
    });
  }
  const std::size_t n = std::min(limit, q.size());
  l.queue.assign(q.begin() + static_cast<std::ptrdiff_t>(n), q.end());
  q.resize(n);
  if (!q.empty()) send_inv(ctx, l, std::move(q));
  if (!l.queue.empty()) arm(ctx, l);
}

void TxRelay::send_inv(NodeContext& ctx, Link& l, std::vector<TxId> txs) {
  for (const TxId tx : txs) l.known.mark(tx);
  const std::uint32_t size = inv_bytes(txs.size());
  ctx.send(l.peer, consensus_.types().tx_inv, size, std::make_shared<const TxList>(std::move(txs)));
}

void TxRelay::on_message(NodeContext& ctx, const Message& msg) {
  const MessageTypeIds& t = consensus_.types();
  if (msg.type == t.tx_inv) {
    on_inv(ctx, msg.as<TxList>().txs, msg.from);
  } else if (msg.type == t.tx_getdata) {
    on_getdata(ctx, msg.as<TxList>().txs, msg.from);
  } else if (msg.type == t.tx) {
    on_tx(ctx, msg.as<TxRef>().tx, msg.from);
  } else if (msg.type == t.tx_stem) {
    const TxId tx = msg.as<TxRef>().tx;
    const TransactionLayer& layer = *consensus_.transactions();
    if (layer.watched(id_)) layer.sighted(tx, id_, msg.from, ctx.now_s(), TxSighting::stem);
    on_stem(ctx, tx, msg.from);
  }
}

void TxRelay::on_inv(NodeContext& ctx, const std::vector<TxId>& txs, NodeId from) {
  TransactionLayer& layer = *consensus_.transactions();
  const TxSpec& spec = layer.spec();
  Link& l = link(ctx, from);
  const double now = ctx.now_s();
  std::vector<TxId> now_from_peer;
  const bool watched = layer.watched(id_);
  for (const TxId tx : txs) {
    l.known.mark(tx);
    if (watched) layer.sighted(tx, id_, from, now, TxSighting::announced);
    const std::uint8_t st = layer.state(id_, tx);
    if ((st & kTxStem) != 0) {
      fluff(ctx, tx, from);  // the fluff reached this stem node: it spreads what it holds
      continue;
    }
    if ((st & (kTxSeen | kTxConfirmed)) != 0) continue;
    Request& req = requests_[tx];
    bool listed = false;
    for (const Announcer& a : req.announcers) listed = listed || a.peer == from;
    if (listed) continue;
    // TxRequestTracker: an outbound (preferred) announcer may be asked at once, an inbound one after
    // NONPREF_PEER_TX_DELAY.
    const double ready = now + (l.outbound ? 0 : spec.nonpreferred_delay_s);
    req.announcers.push_back(Announcer{from, l.outbound, ready});
    if (ready > now) {
      schedule(ctx, ready_, kReady, Due{ready, tx});
    } else if (req.in_flight == kNoNode) {
      req.in_flight = from;
      req.deadline_s = now + spec.request_timeout_s;
      req.announcers.back().tried = true;
      schedule(ctx, timeouts_, kTimeout, Due{req.deadline_s, tx});
      now_from_peer.push_back(tx);
    }
  }
  if (!now_from_peer.empty()) {
    const std::uint32_t size = inv_bytes(now_from_peer.size());
    ctx.send(from, consensus_.types().tx_getdata, size,
             std::make_shared<const TxList>(std::move(now_from_peer)));
  }
}

void TxRelay::schedule(NodeContext& ctx, DueQueue& q, Kind kind, Due due) {
  q.entries.push_back(due);
  if (!q.armed) arm_due(ctx, q, kind);
}

void TxRelay::on_due(NodeContext& ctx, DueQueue& q, Kind kind) {
  // The timer was set for the front entry's time; now + (t - now) can land an ulp before t, and the
  // entry must count as due then (else the timer is set again for the ulp, over and over).
  const double now = std::max(ctx.now_s(), q.armed_for_s);
  q.armed = false;
  while (!q.entries.empty() && q.entries.front().time_s <= now) {
    const Due d = q.entries.front();
    q.entries.pop_front();
    const auto it = requests_.find(d.tx);
    if (it == requests_.end()) continue;
    Request& req = it->second;
    // Still the step it was scheduled for: the same request in flight timing out, or a request with
    // nothing in flight whose inbound announcer became ready.
    if (kind == kTimeout ? (req.in_flight != kNoNode && req.deadline_s == d.time_s)
                         : req.in_flight == kNoNode)
      ask(ctx, d.tx, req, now);
  }
  if (!q.entries.empty()) arm_due(ctx, q, kind);
}

void TxRelay::arm_due(NodeContext& ctx, DueQueue& q, Kind kind) {
  q.armed = true;
  q.armed_for_s = q.entries.front().time_s;
  ctx.set_timer(q.armed_for_s - ctx.now_s(), tag(kind, 0, 0));
}

void TxRelay::ask(NodeContext& ctx, TxId tx, Request& req, double now) {
  // A request timed out, or an inbound announcer became ready: the next candidate is the first
  // untried preferred announcer that is ready, else the first untried ready one.
  req.in_flight = kNoNode;
  Announcer* best = nullptr;
  double next_ready = -1;
  for (Announcer& a : req.announcers) {
    if (a.tried) continue;
    if (a.ready_s > now) {
      if (next_ready < 0 || a.ready_s < next_ready) next_ready = a.ready_s;
      continue;
    }
    if (best == nullptr || (a.preferred && !best->preferred)) best = &a;
  }
  if (best != nullptr) {
    request_from(ctx, tx, req, *best);
  } else if (next_ready < 0) {
    requests_.erase(tx);  // nobody left to ask; a later announcement starts over
  }                       // else an announcer's ready entry is queued: the request waits for it
}

void TxRelay::request_from(NodeContext& ctx, TxId tx, Request& req, Announcer& a) {
  const TxSpec& spec = consensus_.transactions()->spec();
  a.tried = true;
  req.in_flight = a.peer;
  req.deadline_s = ctx.now_s() + spec.request_timeout_s;
  const NodeId peer = a.peer;
  schedule(ctx, timeouts_, kTimeout, Due{req.deadline_s, tx});
  ctx.send(peer, consensus_.types().tx_getdata, inv_bytes(1),
           std::make_shared<const TxList>(std::vector<TxId>{tx}));
}

void TxRelay::on_getdata(NodeContext& ctx, const std::vector<TxId>& txs, NodeId from) {
  const TransactionLayer& layer = *consensus_.transactions();
  Link& l = link(ctx, from);
  for (const TxId tx : txs) {
    if ((layer.state(id_, tx) & kTxPooled) == 0)
      continue;  // gone since it was announced: notfound, not modelled
    l.known.mark(tx);
    ctx.send(from, consensus_.types().tx, kMessageHeaderBytes + layer.table().get(tx).size_bytes,
             consensus_.tx_ref(tx));
  }
}

void TxRelay::on_tx(NodeContext& ctx, TxId tx, NodeId from) {
  TransactionLayer& layer = *consensus_.transactions();
  link(ctx, from).known.mark(tx);
  if (layer.watched(id_)) layer.sighted(tx, id_, from, ctx.now_s(), TxSighting::body);
  if ((layer.state(id_, tx) & kTxStem) != 0) {
    requests_.erase(tx);
    fluff(ctx, tx, from);
    return;
  }
  requests_.erase(tx);  // its entries in due_ find no request and lapse
  if (layer.receive(id_, tx, from, ctx.now_s()) == TxAccept::accepted) relay(ctx, tx, from);
}

void TxRelay::on_head_changed(NodeContext& ctx, BlockId old_head, BlockId new_head) {
  TransactionLayer& layer = *consensus_.transactions();
  const BlockTree& tree = consensus_.tree();
  const double now = ctx.now_s();
  BlockId a = old_head, b = new_head;
  std::vector<BlockId> connect;
  while (tree.get(b).height > tree.get(a).height) {
    connect.push_back(b);
    b = tree.get(b).parent;
  }
  while (tree.get(a).height > tree.get(b).height) {
    layer.disconnect(id_, a, now);
    a = tree.get(a).parent;
  }
  while (a != b) {
    layer.disconnect(id_, a, now);
    connect.push_back(b);
    a = tree.get(a).parent;
    b = tree.get(b).parent;
  }
  for (auto it = connect.rbegin(); it != connect.rend(); ++it) layer.connect(id_, *it, now);
  layer.head_changed(id_, new_head, now);
}

void TxRelay::on_peer_lost(NodeContext& ctx, NodeId peer) {
  const auto it = std::lower_bound(peer_of_.begin(), peer_of_.end(), peer);
  if (it != peer_of_.end() && *it == peer) {
    links_.erase(links_.begin() + (it - peer_of_.begin()));
    peer_of_.erase(it);
  }
  std::vector<TxId> stalled;
  for (auto& [tx, req] : requests_) {
    // The announcer asked last stays listed (as tried); the others from that peer go.
    const NodeId in_flight = req.in_flight;
    req.announcers.erase(std::remove_if(req.announcers.begin(), req.announcers.end(),
                                        [peer, in_flight](const Announcer& a) {
                                          return a.peer == peer && a.peer != in_flight;
                                        }),
                         req.announcers.end());
    if (in_flight == peer) stalled.push_back(tx);
  }
  for (const TxId tx : stalled) ask(ctx, tx, requests_.at(tx), ctx.now_s());
}

}  // namespace dltsim::longest_chain
