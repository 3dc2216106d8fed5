#include "protocols/bft/replica.hpp"

#include <algorithm>

#include "protocols/bft/bft_consensus.hpp"

namespace dltsim::bft {

namespace {

// Timer tags: bit 63 marks the CPU, bits 48..62 the replica's epoch (timers set before a crash are
// ignored after the recovery), bits 0..47 the protocol's tag.
constexpr int kEpochShift = 48;
constexpr std::uint64_t kEpochMask = (std::uint64_t{1} << 15) - 1;
constexpr std::uint64_t kTagMask = (std::uint64_t{1} << kEpochShift) - 1;

}  // namespace

std::pair<Digest, Digest> EquivocationPlan::values(std::uint64_t slot, Digest proposed) {
  const auto it = plan_.find(slot);
  if (it != plan_.end()) return it->second;
  return {proposed, conflicting(proposed)};
}

Digest batch_digest(std::uint64_t slot, std::uint32_t proposer, const std::vector<TxId>& txs) {
  const auto mix = [](std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  };
  std::uint64_t h = mix(slot) ^ mix(0x100000000ULL + proposer);
  for (TxId tx : txs) h = mix(h ^ tx);
  return h == kNoDigest ? 1 : h;
}

Replica::Replica(BftConsensus& consensus, NodeId id)
    : consensus_(consensus), id_(id), tx_bytes_(consensus.config().tx_size_bytes) {}

bool Replica::has_pending_transactions() {
  while (!mempool_.empty() && consensus_.metrics().committed(mempool_.front())) mempool_.pop_front();
  return !mempool_.empty();
}

void Replica::on_start(NodeContext& ctx) {
  ctx_ = &ctx;
  start(ctx);
}

void Replica::on_production_stopped(NodeContext& /*ctx*/) {
  producing_ = false;
}

void Replica::on_reconnected(NodeContext& ctx, NodeId peer) {
  if (behaviour_.crashed || !consensus_.config().retransmit) return;
  reconnected(ctx, peer);
}

void Replica::set_crashed(bool crashed) {
  if (behaviour_.crashed == crashed) return;
  behaviour_.crashed = crashed;
  if (crashed) {
    inbox_.clear();  // what it was processing is lost
    busy_ = false;
    ++epoch_;
  } else if (ctx_ != nullptr) {
    recovered(*ctx_);
  }
}

void Replica::add_transaction(TxId tx) {
  if (behaviour_.crashed) return;
  // Decided transactions leave from the front (decisions come roughly in submission order).
  while (!mempool_.empty() && consensus_.metrics().committed(mempool_.front())) mempool_.pop_front();
  mempool_.push_back(tx);
  if (ctx_ != nullptr) transactions_arrived(*ctx_);
}

void Replica::on_message(NodeContext& ctx, const Message& msg) {
  if (behaviour_.crashed) return;
  inbox_.push_back(msg);
  if (!busy_) start_processing(ctx);
}

double Replica::cost(const Message& msg) const {
  const BftConfig& c = consensus_.config();
  if (!c.cpu_model) return 0;
  double s = signatures(msg) * c.signature_verify_s;
  if (const Batch* b = batch_of(msg)) {
    s += 8.0 * static_cast<double>(b->bytes) / c.validation_rate_bps;
    if (c.verify_client_signatures) s += static_cast<double>(b->txs.size()) * c.signature_verify_s;
  }
  return s;
}

void Replica::start_processing(NodeContext& ctx) {
  // Messages that cost nothing are handled at once; the first that costs time occupies the CPU.
  while (!inbox_.empty()) {
    const double c = cost(inbox_.front());
    if (c > 0) {
      busy_ = true;
      ctx.set_timer(c, kCpuTag | ((epoch_ & kEpochMask) << kEpochShift));
      return;
    }
    const Message msg = std::move(inbox_.front());
    inbox_.pop_front();
    handle(ctx, msg);
    if (behaviour_.crashed) return;
  }
  busy_ = false;
}

void Replica::on_timer(NodeContext& ctx, std::uint64_t tag) {
  if (behaviour_.crashed || ((tag >> kEpochShift) & kEpochMask) != (epoch_ & kEpochMask)) return;
  if (tag & kCpuTag) {
    if (inbox_.empty()) return;
    const Message msg = std::move(inbox_.front());
    inbox_.pop_front();
    handle(ctx, msg);
    if (!behaviour_.crashed) start_processing(ctx);
    return;
  }
  timeout(ctx, tag & kTagMask);
}

TimerId Replica::set_protocol_timer(NodeContext& ctx, double delay_s, std::uint64_t tag) {
  return ctx.set_timer(delay_s, (tag & kTagMask) | ((epoch_ & kEpochMask) << kEpochShift));
}

bool Replica::may_send(MessageKind kind) const {
  if (behaviour_.crashed) return false;
  if (kind == MessageKind::proposal && behaviour_.silent_leader) return false;
  if (kind == MessageKind::vote && behaviour_.withhold_votes) return false;
  return true;
}

void Replica::send(NodeContext& ctx, NodeId to, MessageType type, std::uint32_t size, PayloadPtr payload,
                   MessageKind kind) {
  if (!may_send(kind) || to == id_) return;
  consensus_.count_sent(type, size, 1);
  ctx.send(to, type, size, std::move(payload));
}

void Replica::broadcast(NodeContext& ctx, MessageType type, std::uint32_t size, const PayloadPtr& payload,
                        MessageKind kind) {
  if (!may_send(kind)) return;
  consensus_.count_sent(type, size, consensus_.n() - 1);
  for (NodeId to = 0; to < consensus_.n(); ++to) {
    if (to != id_) ctx.send(to, type, size, payload);
  }
}

namespace {
// Which half of the honest replicas `node` is in (first half: true); faulty replicas get the first.
bool in_first_half(const std::vector<NodeId>& honest, NodeId node) {
  const auto it = std::find(honest.begin(), honest.end(), node);
  if (it == honest.end()) return true;
  return static_cast<std::size_t>(it - honest.begin()) < (honest.size() + 1) / 2;
}
}  // namespace

void Replica::broadcast_proposal(NodeContext& ctx, MessageType type, std::uint64_t slot,
                                 const BatchPtr& batch,
                                 const std::function<std::uint32_t(const Batch&)>& size,
                                 const std::function<PayloadPtr(const BatchPtr&)>& make) {
  if (!may_send(MessageKind::proposal)) return;
  if (!behaviour_.equivocate) {
    broadcast(ctx, type, size(*batch), make(batch), MessageKind::proposal);
    return;
  }
  // The same transactions under another digest: a second, conflicting value for the slot.
  auto other = std::make_shared<Batch>(*batch);
  other->digest = conflicting(batch->digest);
  if (behaviour_.plan != nullptr) behaviour_.plan->record(slot, batch->digest, other->digest);
  const PayloadPtr first = make(batch);
  const PayloadPtr second = make(other);
  const std::vector<NodeId> honest = consensus_.honest_replicas();
  for (NodeId to = 0; to < consensus_.n(); ++to) {
    if (to == id_) continue;
    const bool a = in_first_half(honest, to);
    const std::uint32_t s = size(a ? *batch : *other);
    consensus_.count_sent(type, s, 1);
    ctx.send(to, type, s, a ? first : second);
  }
}

void Replica::vote(NodeContext& ctx, NodeId to, MessageType type, std::uint32_t size, std::uint64_t slot,
                   Digest digest, const std::function<PayloadPtr(Digest)>& make) {
  if (!may_send(MessageKind::vote)) return;
  if (!behaviour_.equivocate) {
    if (to == kNoNode) {
      broadcast(ctx, type, size, make(digest), MessageKind::vote);
    } else {
      send(ctx, to, type, size, make(digest), MessageKind::vote);
    }
    return;
  }
  const auto [a, b] = behaviour_.plan != nullptr ? behaviour_.plan->values(slot, digest)
                                                 : std::pair<Digest, Digest>{digest, conflicting(digest)};
  const PayloadPtr first = make(a);
  const PayloadPtr second = make(b);
  const std::vector<NodeId> honest = consensus_.honest_replicas();
  for (NodeId r = 0; r < consensus_.n(); ++r) {
    if (r == id_ || (to != kNoNode && r != to)) continue;
    consensus_.count_sent(type, size, 1);
    ctx.send(r, type, size, in_first_half(honest, r) ? first : second);
  }
}

BatchPtr Replica::take_batch(std::uint64_t slot, const std::unordered_set<TxId>& in_flight) {
  auto batch = std::make_shared<Batch>();
  const BftConfig& c = consensus_.config();
  const auto tx_bytes = static_cast<std::uint64_t>(c.tx_size_bytes);
  std::vector<TxId> kept;  // in flight: stays, in order, in case its proposal is abandoned
  while (!mempool_.empty() && static_cast<double>(batch->bytes + tx_bytes) <= c.max_batch_bytes) {
    const TxId tx = mempool_.front();
    mempool_.pop_front();
    if (consensus_.metrics().committed(tx)) continue;
    if (in_flight.count(tx) != 0) {
      kept.push_back(tx);
      continue;
    }
    if (std::find(batch->txs.begin(), batch->txs.end(), tx) != batch->txs.end()) continue;
    batch->txs.push_back(tx);
    batch->bytes += tx_bytes;
  }
  mempool_.insert(mempool_.begin(), kept.begin(), kept.end());
  batch->digest = batch_digest(slot, id_, batch->txs);
  return batch;
}

void Replica::return_batch(const Batch& batch) {
  for (auto it = batch.txs.rbegin(); it != batch.txs.rend(); ++it) {
    if (!consensus_.metrics().committed(*it)) mempool_.push_front(*it);
  }
}

void Replica::commit(NodeContext& ctx, std::uint64_t height, const BatchPtr& batch, std::uint64_t view) {
  if (consensus_.metrics().on_commit(id_, height, batch, view, ctx.now_s())) ctx.count_produced();
}

void Replica::view_changed(std::uint64_t view) {
  consensus_.metrics().on_view_change(id_, view);
}

}  // namespace dltsim::bft
