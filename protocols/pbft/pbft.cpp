#include "protocols/pbft/pbft.hpp"

#include <algorithm>
#include <cmath>

#include "protocols/bft/bft_config.hpp"

namespace dltsim::pbft {

namespace {

using bft::Batch;
using bft::kSignatureBytes;
using bft::kVoteBytes;
using bft::MessageKind;

struct PrePrepareMsg : Payload {
  std::uint64_t view = 0;
  std::uint64_t seq = 0;
  BatchPtr batch;
};

struct VoteMsg : Payload {  // PREPARE, COMMIT; CHECKPOINT (seq, state digest)
  std::uint64_t view = 0;
  std::uint64_t seq = 0;
  Digest digest = bft::kNoDigest;
};

struct PreparedEntry {
  std::uint64_t seq;
  std::uint64_t view;
  BatchPtr batch;
};

struct ViewChangeMsg : Payload {
  std::uint64_t new_view = 0;
  std::uint64_t stable_seq = 0;
  std::vector<PreparedEntry> prepared;
  bool resent = false;  // a retransmission: the sender has not heard from this replica
};

struct NewViewMsg : Payload {
  std::uint64_t view = 0;
  std::uint32_t view_changes = 0;  // certificates it carries
  std::vector<std::pair<std::uint64_t, BatchPtr>> pre_prepares;
};

std::uint64_t slot_of(std::uint64_t view, std::uint64_t seq) {
  return (view << 32) | (seq & 0xffffffffULL);
}

// Protocol timer tags: kind in bits 40..47, a view in bits 0..39.
enum TimerKind : std::uint64_t { kBatch = 1, kViewChange = 2, kResend = 3 };
std::uint64_t tag(TimerKind kind, std::uint64_t view) {
  return (std::uint64_t{kind} << 40) | (view & 0xffffffffffULL);
}

// Votes by (view, seq), then by digest: the distinct senders.
using VoteSets = std::map<std::pair<std::uint64_t, std::uint64_t>, std::map<Digest, std::set<NodeId>>>;

class PbftReplica final : public bft::Replica {
 public:
  PbftReplica(PbftConsensus& consensus, NodeId id) : Replica(consensus, id), c_(consensus) {}

  std::uint64_t current_view() const override { return view_; }
  std::uint64_t established_view() const override { return in_view_change_ ? established_view_ : view_; }

 private:
  struct Slot {
    std::uint64_t view = 0;
    BatchPtr batch;
    bool prepared = false;
    bool committed = false;
  };

  bool primary() const { return c_.leader_of(view_) == id(); }

  void start(NodeContext& ctx) override { transactions_arrived(ctx); }

  void recovered(NodeContext& ctx) override {
    vc_timer_set_ = false;
    batch_timer_set_ = false;
    transactions_arrived(ctx);
  }

  void transactions_arrived(NodeContext& ctx) override {
    if (in_view_change_) return;
    if (primary()) {
      try_propose(ctx, false);
    } else {
      arm_view_change_timer(ctx);
    }
  }

  std::uint32_t signatures(const Message& msg) const override {
    if (msg.type == c_.view_change) {
      const auto& m = msg.as<ViewChangeMsg>();
      return 1 + (m.stable_seq > 0 ? c_.quorum() : 0) +
             static_cast<std::uint32_t>(m.prepared.size()) * c_.quorum();
    }
    if (msg.type == c_.new_view) {
      const auto& m = msg.as<NewViewMsg>();
      return 1 + m.view_changes + static_cast<std::uint32_t>(m.pre_prepares.size());
    }
    return 1;
  }

  const Batch* batch_of(const Message& msg) const override {
    return msg.type == c_.preprepare ? msg.as<PrePrepareMsg>().batch.get() : nullptr;
  }

  // ---- normal case ----

  void try_propose(NodeContext& ctx, bool force) {
    const bft::BftConfig& cfg = c_.config();
    while (producing() && !in_view_change_ && primary() && next_seq_ <= stable_ + c_.pbft().log_window &&
           has_pending_transactions() && (force || waiting_bytes() >= cfg.max_batch_bytes)) {
      BatchPtr batch = take_batch(slot_of(view_, next_seq_));
      if (batch->txs.empty()) break;
      propose(ctx, next_seq_++, batch);
      force = false;
    }
    if (producing() && primary() && !batch_timer_set_ && has_pending_transactions()) {
      batch_timer_set_ = true;
      set_protocol_timer(ctx, cfg.max_batch_delay_s, tag(kBatch, view_));
    }
  }

  void propose(NodeContext& ctx, std::uint64_t seq, const BatchPtr& batch) {
    Slot& s = log_[seq];
    s.view = view_;
    s.batch = batch;
    broadcast_proposal(
        ctx, c_.preprepare, slot_of(view_, seq), batch,
        [](const Batch& b) { return static_cast<std::uint32_t>(kVoteBytes + b.bytes); },
        [v = view_, seq](const BatchPtr& b) {
          auto m = std::make_shared<PrePrepareMsg>();
          m->view = v;
          m->seq = seq;
          m->batch = b;
          return m;
        });
    check_prepared(ctx, seq);
  }

  void handle(NodeContext& ctx, const Message& msg) override {
    if (msg.type == c_.preprepare) {
      const auto& m = msg.as<PrePrepareMsg>();
      if (msg.from == c_.leader_of(m.view)) accept_preprepare(ctx, m.view, m.seq, m.batch);
    } else if (msg.type == c_.prepare) {
      const auto& m = msg.as<VoteMsg>();
      if (msg.from == c_.leader_of(m.view)) return;  // the primary does not prepare
      prepares_[{m.view, m.seq}][m.digest].insert(msg.from);
      if (m.view == view_) check_prepared(ctx, m.seq);
    } else if (msg.type == c_.commit) {
      const auto& m = msg.as<VoteMsg>();
      commits_[{m.view, m.seq}][m.digest].insert(msg.from);
      if (m.view == view_) check_committed(ctx, m.seq);
    } else if (msg.type == c_.checkpoint) {
      const auto& m = msg.as<VoteMsg>();
      add_checkpoint(ctx, m.seq, m.digest, msg.from);
    } else if (msg.type == c_.view_change) {
      on_view_change(ctx, msg.from, std::static_pointer_cast<const ViewChangeMsg>(msg.payload));
    } else if (msg.type == c_.new_view) {
      const auto& m = msg.as<NewViewMsg>();
      if (msg.from == c_.leader_of(m.view) && (m.view > view_ || (m.view == view_ && in_view_change_))) {
        enter_view(ctx, m.view);
        for (const auto& [seq, batch] : m.pre_prepares) accept_preprepare(ctx, m.view, seq, batch);
      }
    }
  }

  void accept_preprepare(NodeContext& ctx, std::uint64_t view, std::uint64_t seq, const BatchPtr& batch) {
    if (view != view_ || in_view_change_) return;
    if (seq <= stable_ || seq > stable_ + c_.pbft().log_window || seq <= executed_) return;
    Slot& s = log_[seq];
    if (s.batch && s.view == view) return;  // one pre-prepare per (view, seq): a second one is ignored
    s = Slot{view, batch, false, false};
    vote(ctx, kNoNode, c_.prepare, kVoteBytes, slot_of(view, seq), batch->digest, [view, seq](Digest d) {
      auto m = std::make_shared<VoteMsg>();
      m->view = view;
      m->seq = seq;
      m->digest = d;
      return m;
    });
    if (!primary()) prepares_[{view, seq}][batch->digest].insert(id());
    arm_view_change_timer(ctx);
    check_prepared(ctx, seq);
  }

  void check_prepared(NodeContext& ctx, std::uint64_t seq) {
    const auto it = log_.find(seq);
    if (it == log_.end() || !it->second.batch || it->second.prepared || it->second.view != view_) return;
    Slot& s = it->second;
    const auto votes = prepares_.find({view_, seq});
    if (votes == prepares_.end()) return;
    const auto matching = votes->second.find(s.batch->digest);
    if (matching == votes->second.end() || matching->second.size() < 2 * c_.f()) return;
    s.prepared = true;
    prepared_[seq] = {view_, s.batch};
    const std::uint64_t view = view_;
    vote(ctx, kNoNode, c_.commit, kVoteBytes, slot_of(view, seq), s.batch->digest, [view, seq](Digest d) {
      auto m = std::make_shared<VoteMsg>();
      m->view = view;
      m->seq = seq;
      m->digest = d;
      return m;
    });
    commits_[{view, seq}][s.batch->digest].insert(id());
    check_committed(ctx, seq);
  }

  void check_committed(NodeContext& ctx, std::uint64_t seq) {
    const auto it = log_.find(seq);
    if (it == log_.end() || !it->second.prepared || it->second.committed || it->second.view != view_) return;
    const auto votes = commits_.find({view_, seq});
    if (votes == commits_.end()) return;
    const auto matching = votes->second.find(it->second.batch->digest);
    if (matching == votes->second.end() || matching->second.size() < c_.quorum()) return;
    it->second.committed = true;
    execute_ready(ctx);
  }

  void execute_ready(NodeContext& ctx) {
    while (true) {
      const auto it = log_.find(executed_ + 1);
      if (it == log_.end() || !it->second.committed) break;
      ++executed_;
      state_ = bft::batch_digest(state_, 0, {it->second.batch->digest});
      commit(ctx, executed_, it->second.batch, it->second.view);
      consecutive_view_changes_ = 0;
      if (executed_ % c_.pbft().checkpoint_interval == 0) {
        auto m = std::make_shared<VoteMsg>();
        m->seq = executed_;
        m->digest = state_;
        broadcast(ctx, c_.checkpoint, kVoteBytes, m, MessageKind::other);
        add_checkpoint(ctx, executed_, state_, id());
      }
    }
    // Still waiting for requests: the timer runs again from now; nothing waiting: it stops.
    vc_timer_set_ = false;
    if (vc_timer_ != 0) ctx.cancel_timer(vc_timer_);
    vc_timer_ = 0;
    arm_view_change_timer(ctx);
    if (primary()) try_propose(ctx, false);
  }

  void add_checkpoint(NodeContext& ctx, std::uint64_t seq, Digest state, NodeId from) {
    if (seq <= stable_) return;
    auto& senders = checkpoints_[seq][state];
    senders.insert(from);
    if (senders.size() < c_.quorum()) return;
    // Stable: the low watermark moves and the log before it goes. A replica behind it takes the
    // checkpoint's state at once (state transfer, not simulated): its skipped commits are not
    // recorded.
    stable_ = seq;
    stable_digest_ = state;
    if (seq > executed_) {
      executed_ = seq;
      state_ = state;
    }
    log_.erase(log_.begin(), log_.upper_bound(seq));
    prepared_.erase(prepared_.begin(), prepared_.upper_bound(seq));
    checkpoints_.erase(checkpoints_.begin(), checkpoints_.upper_bound(seq));
    for (VoteSets* sets : {&prepares_, &commits_}) {
      for (auto it = sets->begin(); it != sets->end();)
        it = it->first.second <= seq ? sets->erase(it) : std::next(it);
    }
    if (primary()) try_propose(ctx, false);
  }

  // ---- view changes ----

  double view_change_timeout() const {
    return c_.pbft().view_change_timeout_s *
           std::pow(2.0, std::min<std::uint32_t>(consecutive_view_changes_, 30));
  }

  void arm_view_change_timer(NodeContext& ctx) {
    if (vc_timer_set_ || in_view_change_ || !producing()) return;
    const bool waiting = has_pending_transactions() || log_.upper_bound(executed_) != log_.end();
    if (!waiting) return;
    vc_timer_set_ = true;
    vc_timer_ = set_protocol_timer(ctx, view_change_timeout(), tag(kViewChange, view_));
  }

  void timeout(NodeContext& ctx, std::uint64_t t) override {
    const auto kind = static_cast<TimerKind>(t >> 40);
    const std::uint64_t view = t & 0xffffffffffULL;
    if (kind == kBatch) {
      batch_timer_set_ = false;
      if (view == view_) try_propose(ctx, true);
    } else if (kind == kViewChange && view == view_) {
      vc_timer_set_ = false;
      vc_timer_ = 0;
      start_view_change(ctx, view_ + 1);
    } else if (kind == kResend && view == view_ && in_view_change_ && producing()) {
      resend_view_change(ctx);
    }
  }

  // ---- retransmission ----
  //
  // Castro and Liskov's library recovers lost messages on the receiver's initiative: replicas
  // multicast STATUS messages and others re-send what the sender lacks (TOCS 2002; Castro's thesis,
  // MIT 2001). Here the VIEW-CHANGE itself is the status: a replica still in a view change after
  // retransmit_interval re-sends it to the replicas it has no VIEW-CHANGE of this view (or later)
  // from, as they may lack its own; a replica receiving a re-sent one answers with what the sender
  // lacks. Nothing is re-sent before a view-change timer expires, so a run without faults is as it
  // was; a replica cut off in a view change its quorum did not join stays out until they change
  // view too (PBFT moves to later views only).

  PayloadPtr resent_copy() const {
    const auto own = view_changes_.find(view_);
    if (own == view_changes_.end()) return nullptr;
    const auto mine = own->second.find(id());
    if (mine == own->second.end()) return nullptr;
    auto m = std::make_shared<ViewChangeMsg>(*mine->second);
    m->resent = true;
    return m;
  }

  std::uint32_t view_change_size(const ViewChangeMsg& m) const {
    return static_cast<std::uint32_t>(kVoteBytes + c_.quorum() * kSignatureBytes +
                                      m.prepared.size() * (kVoteBytes + 2 * c_.f() * kSignatureBytes));
  }

  void resend_view_change(NodeContext& ctx) {
    const PayloadPtr m = resent_copy();
    if (m) {
      std::set<NodeId> heard;
      for (auto it = view_changes_.lower_bound(view_); it != view_changes_.end(); ++it) {
        for (const auto& [s, msg] : it->second) heard.insert(s);
      }
      const std::uint32_t size = view_change_size(static_cast<const ViewChangeMsg&>(*m));
      for (NodeId to = 0; to < c_.n(); ++to) {
        if (heard.count(to) == 0) send(ctx, to, c_.view_change, size, m, MessageKind::other);
      }
    }
    set_protocol_timer(ctx, c_.pbft().retransmit_interval_s, tag(kResend, view_));
  }

  // `from` re-sent its VIEW-CHANGE for view m.new_view: it has not heard from this replica.
  void answer_view_change(NodeContext& ctx, NodeId from, const ViewChangeMsg& m) {
    if (in_view_change_ && m.new_view <= view_) {
      if (const PayloadPtr mine = resent_copy())
        send(ctx, from, c_.view_change, view_change_size(static_cast<const ViewChangeMsg&>(*mine)), mine,
             MessageKind::other);
    } else if (!in_view_change_ && m.new_view <= view_ && sent_new_view_ && sent_new_view_->view == view_) {
      send(ctx, from, c_.new_view, sent_new_view_size_, sent_new_view_, MessageKind::proposal);
    }
    if (m.stable_seq < stable_) {  // its state is behind: the checkpoint lets it take ours
      auto cp = std::make_shared<VoteMsg>();
      cp->seq = stable_;
      cp->digest = stable_digest_;
      send(ctx, from, c_.checkpoint, kVoteBytes, cp, MessageKind::other);
    }
  }

  void reconnected(NodeContext& ctx, NodeId peer) override {
    if (!in_view_change_) return;  // the peer re-sends its own view change if it is in one
    if (const PayloadPtr m = resent_copy())
      send(ctx, peer, c_.view_change, view_change_size(static_cast<const ViewChangeMsg&>(*m)), m,
           MessageKind::other);
  }

  void start_view_change(NodeContext& ctx, std::uint64_t new_view) {
    if (new_view <= view_ || !producing()) return;  // winding down: no new view
    if (vc_timer_ != 0) ctx.cancel_timer(vc_timer_);
    view_ = new_view;
    in_view_change_ = true;
    ++consecutive_view_changes_;
    view_changed(new_view);
    auto m = std::make_shared<ViewChangeMsg>();
    m->new_view = new_view;
    m->stable_seq = stable_;
    for (const auto& [seq, entry] : prepared_) {
      if (seq > stable_) m->prepared.push_back({seq, entry.first, entry.second});
    }
    broadcast(ctx, c_.view_change, view_change_size(*m), m, MessageKind::other);
    view_changes_[new_view][id()] = m;
    if (c_.config().retransmit)
      set_protocol_timer(ctx, c_.pbft().retransmit_interval_s, tag(kResend, new_view));
    // The new view must start in time too, or the replicas move on to the next one.
    vc_timer_set_ = true;
    if (vc_timer_ != 0) ctx.cancel_timer(vc_timer_);
    vc_timer_ = set_protocol_timer(ctx, view_change_timeout(), tag(kViewChange, new_view));
    maybe_send_new_view(ctx, new_view);
  }

  void on_view_change(NodeContext& ctx, NodeId from, const std::shared_ptr<const ViewChangeMsg>& m) {
    if (m->resent && c_.config().retransmit) answer_view_change(ctx, from, *m);
    if (m->new_view < view_) return;
    view_changes_[m->new_view][from] = m;
    // f + 1 replicas want a later view: join the earliest of them (one honest replica timed out).
    std::set<NodeId> ahead;
    std::uint64_t earliest = 0;
    for (const auto& [v, senders] : view_changes_) {
      if (v <= view_ || (v == view_ && in_view_change_)) continue;
      for (const auto& [s, msg] : senders) ahead.insert(s);
      if (earliest == 0) earliest = v;
    }
    if (earliest != 0 && ahead.size() >= c_.f() + 1) start_view_change(ctx, earliest);
    maybe_send_new_view(ctx, m->new_view);
  }

  void maybe_send_new_view(NodeContext& ctx, std::uint64_t v) {
    if (c_.leader_of(v) != id() || v < view_ || (v == view_ && !in_view_change_) || new_view_sent_ >= v + 1)
      return;
    const auto it = view_changes_.find(v);
    if (it == view_changes_.end()) return;
    std::uint32_t from_others = 0;
    for (const auto& [s, msg] : it->second) from_others += s != id() ? 1 : 0;
    if (from_others < 2 * c_.f()) return;
    new_view_sent_ = v + 1;
    // Re-propose every batch prepared in the view changes (the highest view's for each sequence
    // number), null batches in the gaps.
    std::uint64_t min_s = 0, max_s = 0;
    std::map<std::uint64_t, PreparedEntry> chosen;
    for (const auto& [s, msg] : it->second) {
      min_s = std::max(min_s, msg->stable_seq);
      for (const PreparedEntry& e : msg->prepared) {
        max_s = std::max(max_s, e.seq);
        auto c = chosen.find(e.seq);
        if (c == chosen.end() || c->second.view < e.view) chosen[e.seq] = e;
      }
    }
    auto m = std::make_shared<NewViewMsg>();
    m->view = v;
    m->view_changes = static_cast<std::uint32_t>(it->second.size());
    for (std::uint64_t seq = min_s + 1; seq <= max_s; ++seq) {
      const auto c = chosen.find(seq);
      if (c != chosen.end()) {
        m->pre_prepares.emplace_back(seq, c->second.batch);
      } else {
        auto null = std::make_shared<Batch>();
        null->digest = bft::batch_digest(slot_of(v, seq), id(), {});
        m->pre_prepares.emplace_back(seq, null);
      }
    }
    const auto size = static_cast<std::uint32_t>(kVoteBytes + m->view_changes * kVoteBytes +
                                                 m->pre_prepares.size() * kVoteBytes);
    broadcast(ctx, c_.new_view, size, m, MessageKind::proposal);
    if (behaviour().silent_leader || behaviour().crashed) return;
    sent_new_view_ = m;
    sent_new_view_size_ = size;
    enter_view(ctx, v);
    stable_ = std::max(stable_, min_s);
    next_seq_ = std::max(std::max(max_s, min_s), executed_) + 1;
    for (const auto& [seq, batch] : m->pre_prepares) {
      if (seq <= executed_) continue;
      log_[seq] = Slot{v, batch, false, false};
      check_prepared(ctx, seq);
    }
    try_propose(ctx, false);
  }

  void enter_view(NodeContext& ctx, std::uint64_t v) {
    view_ = v;
    established_view_ = v;
    in_view_change_ = false;
    if (vc_timer_ != 0) ctx.cancel_timer(vc_timer_);
    vc_timer_ = 0;
    vc_timer_set_ = false;
    batch_timer_set_ = false;
    // Uncommitted entries of older views are re-proposed (or dropped) by the new view.
    for (auto it = log_.begin(); it != log_.end();)
      it = it->second.committed ? std::next(it) : log_.erase(it);
    view_changes_.erase(view_changes_.begin(), view_changes_.upper_bound(v));
    arm_view_change_timer(ctx);
  }

  PbftConsensus& c_;
  std::uint64_t view_ = 0;
  std::uint64_t established_view_ = 0;               // the latest view entered (view_ may be one changed to)
  Digest stable_digest_ = 0;                         // state digest at the stable checkpoint
  std::shared_ptr<const NewViewMsg> sent_new_view_;  // the last NEW-VIEW this replica sent as primary
  std::uint32_t sent_new_view_size_ = 0;
  bool in_view_change_ = false;
  std::uint64_t next_seq_ = 1;
  std::uint64_t stable_ = 0;
  std::uint64_t executed_ = 0;
  Digest state_ = 0;
  std::map<std::uint64_t, Slot> log_;
  std::map<std::uint64_t, std::pair<std::uint64_t, BatchPtr>> prepared_;  // seq -> (view, batch)
  VoteSets prepares_;
  VoteSets commits_;
  std::map<std::uint64_t, std::map<Digest, std::set<NodeId>>> checkpoints_;
  std::map<std::uint64_t, std::map<NodeId, std::shared_ptr<const ViewChangeMsg>>> view_changes_;
  std::uint32_t consecutive_view_changes_ = 0;
  std::uint64_t new_view_sent_ = 0;  // 1 + the last view this replica sent NEW-VIEW for
  TimerId vc_timer_ = 0;
  bool vc_timer_set_ = false;
  bool batch_timer_set_ = false;
};

std::vector<ParamSpec> pbft_params() {
  std::vector<ParamSpec> p = {
      param::integer(
          "checkpoint_interval", 100, between(1, 1000000),
          "K: replicas exchange a checkpoint every K sequence numbers (Castro and Liskov use 128)"),
      param::integer(
          "log_window", 200, between(1, 10000000),
          "L: a primary assigns sequence numbers up to the stable checkpoint + L (2K in the paper)"),
      param::duration(
          "view_change_timeout", "2 s", greater_than(0),
          "a backup waiting this long for a request to execute starts a view change; doubles with "
          "each consecutive view change"),
      param::duration(
          "retransmit_interval", "1 s", greater_than(0),
          "retransmit: a replica in a view change re-sends its VIEW-CHANGE this often to the replicas it has "
          "not heard from (Castro and Liskov's replicas re-send on STATUS messages; the period is an "
          "assumption, half the default view_change_timeout)"),
  };
  return p;
}

}  // namespace

PbftConsensus::PbftConsensus(const ProtocolSetup& setup)
    : BftConsensus(setup, bft::read_bft_config(setup.params)),
      pbft_{static_cast<std::uint64_t>(setup.params.integer("checkpoint_interval")),
            static_cast<std::uint64_t>(setup.params.integer("log_window")),
            setup.params.number("view_change_timeout"), setup.params.number("retransmit_interval")} {
  preprepare = add_type("preprepare");
  prepare = add_type("prepare");
  commit = add_type("commit");
  checkpoint = add_type("checkpoint");
  view_change = add_type("view_change");
  new_view = add_type("new_view");
}

std::unique_ptr<Protocol> PbftConsensus::make_node(NodeId id) {
  auto r = std::make_unique<PbftReplica>(*this, id);
  register_replica(id, r.get());
  return r;
}

void register_pbft(ProtocolRegistry& registry) {
  bft::register_protocol<PbftConsensus>(
      registry, "pbft", "PBFT (Castro-Liskov): pre-prepare / prepare / commit, checkpoints, view changes",
      pbft_params());
}

}  // namespace dltsim::pbft
