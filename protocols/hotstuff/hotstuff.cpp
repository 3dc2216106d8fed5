// Chained HotStuff (Yin, Malkhi, Reiter, Gueta and Abraham, PODC 2019, Algorithm 3): the leader of
// view v (replica v mod n) proposes a block extending the highest quorum certificate it knows;
// replicas vote for it (safety rule: it extends the locked block, or its certificate is newer than
// the lock) and send the vote to the next view's leader, which forms the next certificate from
// 2f + 1 votes and proposes at once. A block's certificate chain gives the lock (two-chain) and
// the commit (three-chain of consecutive parents). As in the paper, the voting and locking rules
// compare the views blocks were proposed in ("heights" there); the ledger height (position in the
// chain) is what the safety monitor compares. The pacemaker: a replica that hears nothing in
// a view for the timeout (doubling while views keep failing) moves on and sends NEW-VIEW with its
// highest certificate to the next leader, which proposes after 2f + 1 of them. Messages are point
// to point; the next leader's own vote is not a message.
//
// Retransmission (`retransmit`): a NEW-VIEW the network lost would leave its view's leader short of
// 2f + 1 until the next timeout, and the timeout doubles. So a replica that timed out into a view
// re-sends its NEW-VIEW every view_timeout (the base, not doubled) until the view makes progress, to
// every replica, as DiemBFT's pacemaker re-broadcasts its timeout vote each time the round timer
// fires again in the same round. Replicas cut off from each other time out in step but may be a view
// apart; as with DiemBFT's timeout votes (and PBFT's view changes), a replica that receives re-sent
// NEW-VIEWs for views above its own from f + 1 replicas moves to the lowest of those views, so both
// sides meet in one view. Only views entered by a timeout do this, so a run without faults is as it
// was.

#include "protocols/hotstuff/hotstuff.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace dltsim::hotstuff {

namespace {

using bft::Batch;
using bft::BatchPtr;
using bft::Digest;
using bft::kSignatureBytes;
using bft::kVoteBytes;
using bft::MessageKind;
using bft::TxId;

struct QC {
  std::uint64_t view = 0;
  Digest block = 0;
  std::uint64_t height = 0;
};

struct Block {
  Digest id = 0;
  Digest parent = 0;
  std::uint64_t height = 0;
  std::uint64_t view = 0;
  QC justify;
  BatchPtr batch;
};
using BlockPtr = std::shared_ptr<const Block>;

struct ProposalMsg : Payload {
  BlockPtr block;
};
struct VoteMsg : Payload {
  std::uint64_t view = 0;
  Digest block = 0;
};
struct NewViewMsg : Payload {
  std::uint64_t view = 0;
  QC high_qc;
  bool resent = false;  // a retransmission, broadcast to every replica
};

constexpr Digest kGenesis = 1;
// Timer tags: the view, and this bit for a NEW-VIEW retransmission.
constexpr std::uint64_t kResendBit = std::uint64_t{1} << 47;

Digest block_id(Digest batch, Digest parent, std::uint64_t view) {
  return bft::batch_digest(view, 0, {batch, parent});
}

class HotStuffReplica final : public bft::Replica {
 public:
  HotStuffReplica(HotStuffConsensus& consensus, NodeId id) : Replica(consensus, id), c_(consensus) {
    auto genesis = std::make_shared<Block>();
    genesis->id = kGenesis;
    genesis->batch = std::make_shared<Batch>();
    blocks_[kGenesis] = genesis;
    locked_ = genesis;
    high_qc_ = QC{0, kGenesis, 0};
  }

  std::uint64_t current_view() const override { return view_; }

 private:
  // view_ is the view whose proposal the replica waits for: after a proposal of view v, v + 1. Its
  // timer expiring means that view's leader failed: the replica moves on to the next view.
  void start(NodeContext& ctx) override {
    enter_view(ctx, 1, false);
    if (c_.leader_of(1) == id()) propose(ctx, 1);
  }

  void recovered(NodeContext& ctx) override { arm_timer(ctx); }

  std::uint32_t signatures(const Message& msg) const override {
    if (msg.type == c_.proposal) return 1 + (msg.as<ProposalMsg>().block->justify.view > 0 ? c_.quorum() : 0);
    if (msg.type == c_.new_view) return 1 + (msg.as<NewViewMsg>().high_qc.view > 0 ? c_.quorum() : 0);
    return 1;
  }

  const Batch* batch_of(const Message& msg) const override {
    return msg.type == c_.proposal ? msg.as<ProposalMsg>().block->batch.get() : nullptr;
  }

  std::uint32_t qc_bytes(const QC& qc) const { return qc.view > 0 ? c_.quorum() * kSignatureBytes : 0; }

  // ---- the pacemaker ----

  void enter_view(NodeContext& ctx, std::uint64_t v, bool failed) {
    view_ = v;
    if (failed) {
      ++consecutive_timeouts_;
      view_changed(v);
    }
    arm_timer(ctx);
  }

  void arm_timer(NodeContext& ctx) {
    if (timer_ != 0) ctx.cancel_timer(timer_);
    timer_ = 0;
    if (!producing()) return;
    const double t = c_.view_timeout_s() * std::pow(2.0, std::min<std::uint32_t>(consecutive_timeouts_, 10));
    timer_ = set_protocol_timer(ctx, t, view_);
  }

  void timeout(NodeContext& ctx, std::uint64_t tag) override {
    if (tag & kResendBit) {
      resend_new_view(ctx, tag & ~kResendBit);
      return;
    }
    const std::uint64_t view = tag;
    if (view != view_ || !producing()) return;  // winding down: no new view
    timer_ = 0;
    move_to(ctx, view_ + 1);
  }

  // Enters view `next` because the current one failed, and sends NEW-VIEW to its leader.
  void move_to(NodeContext& ctx, std::uint64_t next) {
    enter_view(ctx, next, true);
    auto m = std::make_shared<NewViewMsg>();
    m->view = next;
    m->high_qc = high_qc_;
    const NodeId leader = c_.leader_of(next);
    if (leader == id()) {
      on_new_view(ctx, id(), *m);
    } else {
      send(ctx, leader, c_.new_view, kVoteBytes + qc_bytes(high_qc_), m, MessageKind::other);
    }
    if (c_.config().retransmit) set_protocol_timer(ctx, c_.view_timeout_s(), next | kResendBit);
  }

  // Still waiting in view v, entered by a timeout: its leader may have lost this NEW-VIEW.
  void resend_new_view(NodeContext& ctx, std::uint64_t v) {
    if (v != view_ || !producing() || proposal_seen_ >= v) return;
    auto m = std::make_shared<NewViewMsg>();
    m->view = v;
    m->high_qc = high_qc_;
    m->resent = true;
    broadcast(ctx, c_.new_view, kVoteBytes + qc_bytes(high_qc_), m, MessageKind::other);
    set_protocol_timer(ctx, c_.view_timeout_s(), v | kResendBit);
  }

  // f + 1 replicas re-sent NEW-VIEWs for views above this replica's: one honest replica is there.
  void join_later_view(NodeContext& ctx, NodeId from, std::uint64_t v) {
    if (v <= view_) return;
    ahead_[v].insert(from);
    std::set<NodeId> senders;
    for (auto it = ahead_.upper_bound(view_); it != ahead_.end(); ++it)
      senders.insert(it->second.begin(), it->second.end());
    if (senders.size() < c_.f() + 1) return;
    const std::uint64_t lowest = ahead_.upper_bound(view_)->first;
    ahead_.erase(ahead_.begin(), ahead_.upper_bound(lowest));
    move_to(ctx, lowest);
  }

  // ---- leader ----

  void propose(NodeContext& ctx, std::uint64_t v) {
    if (proposed_view_ >= v || !producing()) return;
    proposed_view_ = v;
    const BlockPtr parent = block(high_qc_.block);
    if (!parent) return;
    // The uncommitted ancestors' transactions are already on their way (real mempools drop them).
    std::unordered_set<TxId> in_flight;
    for (BlockPtr x = parent; x && x->height > executed_height_; x = block(x->parent)) {
      if (x->batch) in_flight.insert(x->batch->txs.begin(), x->batch->txs.end());
    }
    BatchPtr batch = take_batch(v, in_flight);
    const QC justify = high_qc_;
    const std::uint32_t qc_size = qc_bytes(justify);
    BlockPtr own;
    broadcast_proposal(
        ctx, c_.proposal, v, batch,
        [qc_size](const Batch& b) { return static_cast<std::uint32_t>(kVoteBytes + 32 + qc_size + b.bytes); },
        [&](const BatchPtr& b) {
          auto blk = std::make_shared<Block>();
          blk->parent = parent->id;
          blk->height = parent->height + 1;
          blk->view = v;
          blk->justify = justify;
          blk->batch = b;
          blk->id = block_id(b->digest, parent->id, v);
          if (!own) own = blk;
          auto m = std::make_shared<ProposalMsg>();
          m->block = blk;
          return m;
        });
    if (!own) {  // silent (or crashed): the proposal went nowhere, the leader does not act on it
      return_batch(*batch);
      return;
    }
    on_proposal(ctx, own);
  }

  void on_new_view(NodeContext& ctx, NodeId from, const NewViewMsg& m) {
    if (m.resent && c_.config().retransmit) join_later_view(ctx, from, m.view);
    if (m.view < view_ || c_.leader_of(m.view) != id()) return;
    update_high_qc(m.high_qc);
    auto& senders = new_views_[m.view];
    senders.insert(from);
    if (senders.size() >= c_.quorum()) {
      if (m.view > view_) enter_view(ctx, m.view, false);
      propose(ctx, m.view);
    }
  }

  void on_vote(NodeContext& ctx, NodeId from, std::uint64_t view, Digest blk) {
    if (c_.leader_of(view + 1) != id() || formed_.count(blk) != 0) return;
    votes_[blk].insert(from);
    try_form_qc(ctx, view, blk);
  }

  // A quorum of votes makes a certificate once the block itself is known (votes can arrive before
  // the proposal when latencies differ).
  void try_form_qc(NodeContext& ctx, std::uint64_t view, Digest blk) {
    const auto it = votes_.find(blk);
    const BlockPtr b = block(blk);
    if (it == votes_.end() || it->second.size() < c_.quorum() || !b || formed_.count(blk) != 0) return;
    formed_.insert(blk);
    votes_.erase(it);
    update_high_qc(QC{view, blk, b->height});
    if (view + 1 >= view_) propose(ctx, view + 1);
  }

  // ---- replicas ----

  void handle(NodeContext& ctx, const Message& msg) override {
    if (msg.type == c_.proposal) {
      const BlockPtr& b = msg.as<ProposalMsg>().block;
      if (msg.from == c_.leader_of(b->view)) on_proposal(ctx, b);
    } else if (msg.type == c_.vote) {
      const auto& m = msg.as<VoteMsg>();
      on_vote(ctx, msg.from, m.view, m.block);
    } else if (msg.type == c_.new_view) {
      on_new_view(ctx, msg.from, msg.as<NewViewMsg>());
    }
  }

  BlockPtr block(Digest id) const {
    const auto it = blocks_.find(id);
    return it == blocks_.end() ? nullptr : it->second;
  }

  bool extends(const BlockPtr& b, Digest ancestor) const {
    for (BlockPtr x = b; x; x = block(x->parent)) {
      if (x->id == ancestor) return true;
      if (x->height == 0) break;
    }
    return false;
  }

  void update_high_qc(const QC& qc) {
    if (qc.view > high_qc_.view) high_qc_ = qc;
  }

  void on_proposal(NodeContext& ctx, const BlockPtr& b) {
    blocks_.emplace(b->id, b);
    proposal_seen_ = std::max(proposal_seen_, b->view);
    if (c_.leader_of(b->view + 1) == id()) try_form_qc(ctx, b->view, b->id);
    if (b->view >= view_) {  // view b->view made progress: now waiting for the next one's proposal
      view_ = b->view + 1;
      arm_timer(ctx);
    }
    update_high_qc(b->justify);
    // Two-chain lock, three-chain commit (direct parents).
    const BlockPtr b2 = block(b->justify.block);
    const BlockPtr b1 = b2 ? block(b2->justify.block) : nullptr;
    const BlockPtr b0 = b1 ? block(b1->justify.block) : nullptr;
    if (b1 && b1->view > locked_->view) locked_ = b1;
    if (b2 && b1 && b0 && b2->parent == b1->id && b1->parent == b0->id) commit_up_to(ctx, b0);
    // Vote (safety rule), to the next view's leader.
    if (b->view > voted_view_ && (extends(b, locked_->id) || b->justify.view > locked_->view)) {
      voted_view_ = b->view;
      const NodeId next = c_.leader_of(b->view + 1);
      const std::uint64_t v = b->view;
      if (next == id()) {
        if (!behaviour().withhold_votes) on_vote(ctx, id(), v, b->id);
      } else {
        vote(ctx, next, c_.vote, kVoteBytes, v, b->id, [v](Digest d) {
          auto m = std::make_shared<VoteMsg>();
          m->view = v;
          m->block = d;
          return m;
        });
      }
    }
  }

  void commit_up_to(NodeContext& ctx, const BlockPtr& b) {
    if (b->height <= executed_height_) return;
    std::vector<BlockPtr> chain;
    for (BlockPtr x = b; x && x->height > executed_height_; x = block(x->parent)) chain.push_back(x);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      executed_height_ = (*it)->height;
      commit(ctx, (*it)->height, (*it)->batch, (*it)->view);
    }
    consecutive_timeouts_ = 0;
  }

  HotStuffConsensus& c_;
  std::unordered_map<Digest, BlockPtr> blocks_;
  BlockPtr locked_;
  QC high_qc_;
  std::uint64_t view_ = 0;
  std::uint64_t proposed_view_ = 0;
  std::uint64_t proposal_seen_ = 0;  // the highest view a proposal was seen for
  std::uint64_t voted_view_ = 0;
  std::uint64_t executed_height_ = 0;
  std::uint32_t consecutive_timeouts_ = 0;
  TimerId timer_ = 0;
  std::map<Digest, std::set<NodeId>> votes_;
  std::set<Digest> formed_;
  std::map<std::uint64_t, std::set<NodeId>> new_views_;
  std::map<std::uint64_t, std::set<NodeId>> ahead_;  // re-sent NEW-VIEWs for later views, by view
};

}  // namespace

HotStuffConsensus::HotStuffConsensus(const ProtocolSetup& setup)
    : BftConsensus(setup, bft::read_bft_config(setup.params)),
      view_timeout_s_(setup.params.number("view_timeout")) {
  proposal = add_type("proposal");
  vote = add_type("vote");
  new_view = add_type("new_view");
}

std::unique_ptr<Protocol> HotStuffConsensus::make_node(NodeId id) {
  auto r = std::make_unique<HotStuffReplica>(*this, id);
  register_replica(id, r.get());
  return r;
}

void register_hotstuff(ProtocolRegistry& registry) {
  bft::register_protocol<HotStuffConsensus>(
      registry, "hotstuff",
      "chained HotStuff: rotating leaders, votes to the next leader, three-chain commit, pacemaker",
      {param::duration(
          "view_timeout", "2 s", greater_than(0),
          "a replica that sees no progress in a view for this long moves to the next and "
          "sends NEW-VIEW to its leader; doubles with each consecutive failed view (with "
          "retransmit, the NEW-VIEW is re-sent every view_timeout until the view makes progress)")});
}

}  // namespace dltsim::hotstuff
