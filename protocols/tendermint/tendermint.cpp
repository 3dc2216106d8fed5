// Tendermint (Buchman, Kwon and Milosevic, "The latest gossip on BFT consensus", 2018, Algorithm
// 1): heights decided in rounds; the proposer of (h, r) (replica (h + r) mod n) proposes its valid
// value or a new batch; replicas PREVOTE it unless locked on another value (the locking and
// valid-round rules of lines 22-33), PRECOMMIT a value with 2f + 1 prevotes (locking on it), and
// decide a value with 2f + 1 precommits. Propose, prevote and precommit timeouts grow by a fixed
// step per round; f + 1 messages of a later round make a replica skip to it. After deciding, a
// replica waits timeout_commit before the next height (Tendermint Core's pacing). Messages are
// point to point; a replica counts its own votes without sending them.
//
// The paper's liveness rests on gossip: what one correct replica receives, all eventually do. Votes
// are not relayed here, so a replica left behind (equivocators sent it the other half's votes, or it
// was partitioned or crashed) would stay behind for good. It catches up as Tendermint Core's
// consensus reactor lets it: still at height h a while after a message from a later height arrived,
// it asks that sender for h's commit (the value and 2f + 1 precommit signatures, all verified) and
// decides it. In the normal case nobody is behind that long and no such message is sent.
//
// Re-gossip (`retransmit`). CometBFT's reactor sends each peer the proposal and votes its round state
// shows it lacks, and every peer_query_maj23_sleep_duration (2 s) peers compare which votes they hold
// (VoteSetMaj23 / VoteSetBits), so a vote the network lost is sent again. Here a replica whose round
// has outlasted its propose timeout is stalled; every query_maj23_interval it re-sends its own
// proposal and votes of the round to the replicas it has heard nothing from in that round (they may
// lack its messages as it lacks theirs). A replica receiving such a re-sent message learns the
// sender's round state and answers, at most once per gossip_interval and peer, with what it lacks:
// its own messages of that round, or the commit of that height if the sender is behind. A healed
// connection (on_reconnected) gets the current round's messages at once, as a new peer does. None of
// this happens before a propose timeout fires within its round, so a run without faults is as it was.

#include "protocols/tendermint/tendermint.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace dltsim::tendermint {

namespace {

using bft::Batch;
using bft::BatchPtr;
using bft::Digest;
using bft::kNoDigest;
using bft::kSignatureBytes;
using bft::kVoteBytes;
using bft::MessageKind;

struct ProposalMsg : Payload {
  std::uint64_t height = 0;
  std::int64_t round = 0;
  std::int64_t valid_round = -1;
  BatchPtr value;
  bool resent = false;  // re-gossip from a stalled round: the sender may lack the receiver's messages
};

struct CommitRequestMsg : Payload {  // a replica behind asks for a height's commit
  std::uint64_t height = 0;
};

struct CommitMsg : Payload {  // a decided value and (in its size) the 2f + 1 precommits for it
  std::uint64_t height = 0;
  std::int64_t round = 0;
  BatchPtr value;
};

struct VoteMsg : Payload {  // PREVOTE, PRECOMMIT; kNoDigest is nil
  std::uint64_t height = 0;
  std::int64_t round = 0;
  Digest value = kNoDigest;
  bool resent = false;  // as ProposalMsg::resent
};

enum class Step { propose, prevote, precommit };
enum TimerKind : std::uint64_t {
  kPropose = 1,
  kPrevote = 2,
  kPrecommit = 3,
  kNextHeight = 0,
  kCatchUp = 4,
  kGossip = 5
};

std::uint64_t slot_of(std::uint64_t h, std::int64_t r) {
  return (h << 20) | (static_cast<std::uint64_t>(r) & 0xfffff);
}
// The replica keeps 48 bits of a tag: kind (3 bits), height (33 bits), round (12 bits).
constexpr int kKindShift = 45;
constexpr std::uint64_t kHeightMask = 0x1ffffffffULL;
std::uint64_t timer_tag(TimerKind kind, std::uint64_t h, std::int64_t r) {
  return (std::uint64_t{kind} << kKindShift) | ((h & kHeightMask) << 12) |
         (static_cast<std::uint64_t>(r) & 0xfff);
}

class TendermintReplica final : public bft::Replica {
 public:
  TendermintReplica(TendermintConsensus& consensus, NodeId id) : Replica(consensus, id), c_(consensus) {}

  std::uint64_t current_view() const override { return height_ + static_cast<std::uint64_t>(round_); }

 private:
  struct RoundState {
    BatchPtr proposal;
    std::int64_t valid_round = -1;
    std::map<Digest, std::set<NodeId>> prevotes;
    std::map<Digest, std::set<NodeId>> precommits;
    std::set<NodeId> prevoters, precommitters, senders;
    bool prevote_timer = false, precommit_timer = false, locked_here = false;
    // This replica's own votes of the round (what re-gossip sends again).
    bool prevoted = false, precommitted = false, gossiping = false;
    Digest own_prevote = kNoDigest, own_precommit = kNoDigest;
  };

  NodeId proposer(std::uint64_t h, std::int64_t r) const {
    return c_.leader_of(h + static_cast<std::uint64_t>(r));
  }

  void start(NodeContext& ctx) override { start_round(ctx, 0); }

  void recovered(NodeContext& ctx) override {
    // Timers of the round in progress were lost with the crash: take them up again.
    if (step_ == Step::propose && proposer(height_, round_) != id()) {
      set_protocol_timer(ctx, c_.timeouts().propose(round_), timer_tag(kPropose, height_, round_));
    }
  }

  std::uint32_t signatures(const Message& msg) const override {
    return msg.type == c_.commit ? c_.quorum() : 1;
  }

  const Batch* batch_of(const Message& msg) const override {
    if (msg.type == c_.proposal) return msg.as<ProposalMsg>().value.get();
    if (msg.type == c_.commit) return msg.as<CommitMsg>().value.get();
    return nullptr;
  }

  RoundState& round_state(std::int64_t r) { return rounds_[r]; }

  void start_round(NodeContext& ctx, std::int64_t r) {
    if (!producing()) return;  // the run is winding down: no new round
    if (r > 0) view_changed(slot_of(height_, r));
    round_ = r;
    step_ = Step::propose;
    if (proposer(height_, r) == id() && producing()) {
      const BatchPtr value = valid_value_ ? valid_value_ : take_batch(slot_of(height_, r));
      const std::uint64_t h = height_;
      const std::int64_t vr = valid_round_;
      broadcast_proposal(
          ctx, c_.proposal, slot_of(h, r), value,
          [](const Batch& b) { return static_cast<std::uint32_t>(kVoteBytes + 8 + b.bytes); },
          [h, r, vr](const BatchPtr& b) {
            auto m = std::make_shared<ProposalMsg>();
            m->height = h;
            m->round = r;
            m->valid_round = vr;
            m->value = b;
            return m;
          });
      if (!behaviour().silent_leader && !behaviour().crashed) {
        round_state(r).proposal = value;
        round_state(r).valid_round = vr;
      } else if (value != valid_value_) {
        return_batch(*value);
      }
    } else {
      set_protocol_timer(ctx, c_.timeouts().propose(r), timer_tag(kPropose, height_, r));
    }
    replay_future(ctx);
    evaluate(ctx);
  }

  void broadcast_vote(NodeContext& ctx, MessageType type, std::int64_t r, Digest value) {
    const std::uint64_t h = height_;
    vote(ctx, kNoNode, type, kVoteBytes, slot_of(h, r), value, [h, r](Digest d) {
      auto m = std::make_shared<VoteMsg>();
      m->height = h;
      m->round = r;
      m->value = d;
      return m;
    });
    if (behaviour().withhold_votes || behaviour().crashed) return;
    add_vote(type, id(), r, value);
    RoundState& s = round_state(r);
    (type == c_.prevote ? s.prevoted : s.precommitted) = true;
    (type == c_.prevote ? s.own_prevote : s.own_precommit) = value;
  }

  void add_vote(MessageType type, NodeId from, std::int64_t r, Digest value) {
    RoundState& s = round_state(r);
    if (type == c_.prevote) {
      if (!s.prevoters.insert(from).second) return;  // one prevote per replica and round counts
      s.prevotes[value].insert(from);
    } else {
      if (!s.precommitters.insert(from).second) return;
      s.precommits[value].insert(from);
    }
    s.senders.insert(from);
  }

  void handle(NodeContext& ctx, const Message& msg) override {
    if (msg.type == c_.commit_request) {
      answer_commit_request(ctx, msg.from, msg.as<CommitRequestMsg>().height);
      return;
    }
    if (msg.type == c_.commit) {
      const auto& m = msg.as<CommitMsg>();
      if (m.height != height_) return;
      decide(ctx, m.round, m.value);
      if (highest_seen_ > height_) ask_for_commit(ctx);  // known to be behind: no need to wait again
      return;
    }
    const std::uint64_t h = msg.type == c_.proposal ? msg.as<ProposalMsg>().height : msg.as<VoteMsg>().height;
    const bool resent = msg.type == c_.proposal ? msg.as<ProposalMsg>().resent : msg.as<VoteMsg>().resent;
    if (resent && c_.config().retransmit) {
      answer_gossip(ctx, msg.from, h,
                    msg.type == c_.proposal ? msg.as<ProposalMsg>().round : msg.as<VoteMsg>().round);
    }
    if (h < height_) return;
    if (h > height_) {  // a later height: kept until this replica gets there
      future_.push_back(msg);
      note_ahead(ctx, msg.from, h);
      return;
    }
    take(msg);
    evaluate(ctx);
  }

  void take(const Message& msg) {
    if (msg.type == c_.proposal) {
      const auto& m = msg.as<ProposalMsg>();
      if (msg.from != proposer(m.height, m.round)) return;
      RoundState& s = round_state(m.round);
      if (!s.proposal) {
        s.proposal = m.value;
        s.valid_round = m.valid_round;
      }
      s.senders.insert(msg.from);
    } else {
      const auto& m = msg.as<VoteMsg>();
      add_vote(msg.type, msg.from, m.round, m.value);
    }
  }

  void replay_future(NodeContext& /*ctx*/) {
    std::vector<Message> later;
    for (Message& m : future_) {
      const std::uint64_t h = m.type == c_.proposal ? m.as<ProposalMsg>().height : m.as<VoteMsg>().height;
      if (h == height_) {
        take(m);
      } else if (h > height_) {
        later.push_back(std::move(m));
      }
    }
    future_ = std::move(later);
  }

  std::size_t count(const std::map<Digest, std::set<NodeId>>& votes, Digest value) const {
    const auto it = votes.find(value);
    return it == votes.end() ? 0 : it->second.size();
  }

  // The upon-rules of Algorithm 1, checked after every change until none applies.
  void evaluate(NodeContext& ctx) {
    if (waiting_next_height_) return;  // the next height starts after timeout_commit
    const std::uint32_t q = c_.quorum();
    // Line 49: decide any round's value with 2f + 1 precommits.
    for (auto& [r, s] : rounds_) {
      if (s.proposal && count(s.precommits, s.proposal->digest) >= q) {
        decide(ctx, r, s.proposal);
        return;
      }
    }
    // Line 55: f + 1 replicas are in a later round: go there.
    for (auto& [r, s] : rounds_) {
      if (r > round_ && s.senders.size() >= c_.f() + 1) {
        start_round(ctx, r);
        return;
      }
    }
    RoundState& s = round_state(round_);
    if (step_ == Step::propose && s.proposal) {
      const Digest v = s.proposal->digest;
      if (s.valid_round < 0) {  // line 22
        prevote(ctx, (locked_round_ < 0 || (locked_value_ && locked_value_->digest == v)) ? v : kNoDigest);
      } else if (s.valid_round < round_ && count(round_state(s.valid_round).prevotes, v) >= q) {  // line 28
        prevote(ctx, (locked_round_ <= s.valid_round || (locked_value_ && locked_value_->digest == v))
                         ? v
                         : kNoDigest);
      }
    }
    if (step_ == Step::prevote && s.prevoters.size() >= q && !s.prevote_timer) {  // line 34
      s.prevote_timer = true;
      set_protocol_timer(ctx, c_.timeouts().prevote(round_), timer_tag(kPrevote, height_, round_));
    }
    if (s.proposal && step_ != Step::propose && !s.locked_here &&
        count(s.prevotes, s.proposal->digest) >= q) {
      s.locked_here = true;  // line 36
      if (step_ == Step::prevote) {
        locked_value_ = s.proposal;
        locked_round_ = round_;
        step_ = Step::precommit;
        broadcast_vote(ctx, c_.precommit, round_, s.proposal->digest);
      }
      valid_value_ = s.proposal;
      valid_round_ = round_;
    }
    if (step_ == Step::prevote && count(s.prevotes, kNoDigest) >= q) {  // line 44
      step_ = Step::precommit;
      broadcast_vote(ctx, c_.precommit, round_, kNoDigest);
    }
    if (s.precommitters.size() >= q && !s.precommit_timer) {  // line 47
      s.precommit_timer = true;
      set_protocol_timer(ctx, c_.timeouts().precommit(round_), timer_tag(kPrecommit, height_, round_));
    }
  }

  void prevote(NodeContext& ctx, Digest value) {
    step_ = Step::prevote;
    broadcast_vote(ctx, c_.prevote, round_, value);
    evaluate(ctx);
  }

  // ---- re-gossip ----

  // Sends `to` this replica's own proposal and votes of round r of the current height, marked as
  // re-sent (the receiver answers with what this replica lacks) when `ask` is set.
  void send_round(NodeContext& ctx, NodeId to, std::int64_t r, bool ask) {
    const auto it = rounds_.find(r);
    if (it == rounds_.end() || behaviour().equivocate) return;  // an equivocator's values are split
    const RoundState& s = it->second;
    const std::uint64_t h = height_;
    if (proposer(h, r) == id() && s.proposal) {
      auto m = std::make_shared<ProposalMsg>();
      m->height = h;
      m->round = r;
      m->valid_round = s.valid_round;
      m->value = s.proposal;
      m->resent = ask;
      send(ctx, to, c_.proposal, static_cast<std::uint32_t>(kVoteBytes + 8 + s.proposal->bytes), m,
           MessageKind::proposal);
    }
    const auto send_vote = [&](MessageType type, Digest value) {
      auto m = std::make_shared<VoteMsg>();
      m->height = h;
      m->round = r;
      m->value = value;
      m->resent = ask;
      send(ctx, to, type, kVoteBytes, m, MessageKind::vote);
    };
    if (s.prevoted) send_vote(c_.prevote, s.own_prevote);
    if (s.precommitted) send_vote(c_.precommit, s.own_precommit);
  }

  // The replicas whose vote of the current step this replica lacks (it waits for them with no
  // timer running: a vote the network lost is what a stalled round waits for).
  std::vector<NodeId> missing_votes() {
    std::vector<NodeId> out;
    const RoundState& s = round_state(round_);
    const std::set<NodeId>& have = step_ == Step::precommit ? s.precommitters
                                   : step_ == Step::prevote ? s.prevoters
                                                            : s.senders;
    const bool waiting = step_ == Step::precommit ? !s.precommit_timer : !s.prevote_timer;
    if (!waiting || waiting_next_height_ || !producing()) return out;
    for (NodeId to = 0; to < c_.n(); ++to) {
      if (to != id() && have.count(to) == 0) out.push_back(to);
    }
    return out;
  }

  // The round outlasted its propose timeout: if it still lacks votes query_maj23_interval later, it
  // re-sends its own to the replicas it lacks votes from (they may lack its own), and so on.
  void start_gossip(NodeContext& ctx) {
    RoundState& s = round_state(round_);
    if (!c_.config().retransmit || s.gossiping || missing_votes().empty()) return;
    s.gossiping = true;
    set_protocol_timer(ctx, c_.gossip().query_s, timer_tag(kGossip, height_, round_));
  }

  void regossip(NodeContext& ctx) {
    const std::vector<NodeId> missing = missing_votes();
    if (missing.empty()) {
      round_state(round_).gossiping = false;  // a later propose timeout of this round may start it again
      return;
    }
    for (NodeId to : missing) send_round(ctx, to, round_, true);
    set_protocol_timer(ctx, c_.gossip().query_s, timer_tag(kGossip, height_, round_));
  }

  // `from` re-sent a message of (h, r): it lacks what this replica has of that round, or that height.
  void answer_gossip(NodeContext& ctx, NodeId from, std::uint64_t h, std::int64_t r) {
    if (last_answer_s_.empty()) last_answer_s_.assign(c_.n(), -1e300);
    if (ctx.now_s() < last_answer_s_[from] + c_.gossip().interval_s) return;
    last_answer_s_[from] = ctx.now_s();
    if (h < height_) {
      answer_commit_request(ctx, from, h);
    } else if (h == height_ && !waiting_next_height_) {
      send_round(ctx, from, r, false);
    }
  }

  void reconnected(NodeContext& ctx, NodeId peer) override {
    if (!waiting_next_height_) send_round(ctx, peer, round_, false);
  }

  // ---- catching up ----

  void note_ahead(NodeContext& ctx, NodeId from, std::uint64_t h) {
    highest_seen_ = std::max(highest_seen_, h);
    if (std::find(ahead_.begin(), ahead_.end(), from) == ahead_.end()) ahead_.push_back(from);
    if (catch_up_height_ == height_) return;  // already waiting for this height
    catch_up_height_ = height_;
    set_protocol_timer(ctx, catch_up_wait_s(), timer_tag(kCatchUp, height_, 0));
  }

  // Longer than a height takes when nothing fails, so that a replica merely a moment behind decides
  // by itself.
  double catch_up_wait_s() const { return c_.timeouts().commit_s + c_.timeouts().propose(0); }

  void ask_for_commit(NodeContext& ctx) {
    if (ahead_.empty()) return;
    catch_up_height_ = height_;
    const NodeId to = ahead_[next_ahead_++ % ahead_.size()];  // a crashed one: the next asks another
    auto m = std::make_shared<CommitRequestMsg>();
    m->height = height_;
    send(ctx, to, c_.commit_request, kVoteBytes, m, MessageKind::other);
    set_protocol_timer(ctx, catch_up_wait_s(), timer_tag(kCatchUp, height_, 0));
  }

  void answer_commit_request(NodeContext& ctx, NodeId to, std::uint64_t h) {
    const auto it = decided_.find(h);
    if (it == decided_.end()) return;
    auto m = std::make_shared<CommitMsg>();
    m->height = h;
    m->round = it->second.round;
    m->value = it->second.value;
    const auto size = static_cast<std::uint32_t>(8 + m->value->bytes + c_.quorum() * kSignatureBytes);
    send(ctx, to, c_.commit, size, m, MessageKind::other);
  }

  void decide(NodeContext& ctx, std::int64_t r, const BatchPtr& value) {
    commit(ctx, height_, value, static_cast<std::uint64_t>(r));
    decided_.emplace(height_, Decided{value, r});
    ++height_;
    round_ = 0;
    step_ = Step::propose;
    rounds_.clear();
    locked_value_ = valid_value_ = nullptr;
    locked_round_ = valid_round_ = -1;
    waiting_next_height_ = true;
    set_protocol_timer(ctx, c_.timeouts().commit_s, timer_tag(kNextHeight, height_, 0));
  }

  void timeout(NodeContext& ctx, std::uint64_t tag) override {
    const auto kind = static_cast<TimerKind>(tag >> kKindShift);
    const std::uint64_t h = (tag >> 12) & kHeightMask;
    const auto r = static_cast<std::int64_t>(tag & 0xfff);
    if (h != (height_ & kHeightMask)) return;
    switch (kind) {
      case kNextHeight:
        if (waiting_next_height_) {
          waiting_next_height_ = false;
          start_round(ctx, 0);
        }
        break;
      case kPropose:
        if (r != round_) break;
        if (step_ == Step::propose) prevote(ctx, kNoDigest);
        if (r == round_ && !waiting_next_height_ && (h == (height_ & kHeightMask))) start_gossip(ctx);
        break;
      case kGossip:
        if (r == round_) regossip(ctx);
        break;
      case kPrevote:
        if (r == round_ && step_ == Step::prevote) {
          step_ = Step::precommit;
          broadcast_vote(ctx, c_.precommit, round_, kNoDigest);
          evaluate(ctx);
        }
        break;
      case kPrecommit:
        if (r == round_) start_round(ctx, r + 1);
        break;
      case kCatchUp:
        ask_for_commit(ctx);
        break;
    }
  }

  TendermintConsensus& c_;
  std::uint64_t height_ = 0;
  std::int64_t round_ = 0;
  Step step_ = Step::propose;
  BatchPtr locked_value_, valid_value_;
  std::int64_t locked_round_ = -1, valid_round_ = -1;
  bool waiting_next_height_ = false;
  std::map<std::int64_t, RoundState> rounds_;
  std::vector<Message> future_;
  struct Decided {
    BatchPtr value;
    std::int64_t round;
  };
  std::map<std::uint64_t, Decided> decided_;  // what this replica decided, to help those behind
  std::vector<NodeId> ahead_;                 // replicas heard from at a later height than this one's then
  std::uint64_t highest_seen_ = 0;
  std::size_t next_ahead_ = 0;
  std::uint64_t catch_up_height_ = ~std::uint64_t{0};
  std::vector<double> last_answer_s_;  // by peer: when re-gossip last answered it
};

}  // namespace

TendermintConsensus::TendermintConsensus(const ProtocolSetup& setup)
    : BftConsensus(setup, bft::read_bft_config(setup.params)),
      timeouts_{setup.params.number("timeout_propose"),   setup.params.number("timeout_propose_delta"),
                setup.params.number("timeout_prevote"),   setup.params.number("timeout_prevote_delta"),
                setup.params.number("timeout_precommit"), setup.params.number("timeout_precommit_delta"),
                setup.params.number("timeout_commit")},
      gossip_{setup.params.number("gossip_interval"), setup.params.number("query_maj23_interval")} {
  proposal = add_type("proposal");
  prevote = add_type("prevote");
  precommit = add_type("precommit");
  commit_request = add_type("commit_request");
  commit = add_type("commit");
}

std::unique_ptr<Protocol> TendermintConsensus::make_node(NodeId id) {
  auto r = std::make_unique<TendermintReplica>(*this, id);
  register_replica(id, r.get());
  return r;
}

void register_tendermint(ProtocolRegistry& registry) {
  const char* src = " (Tendermint Core's default)";
  bft::register_protocol<TendermintConsensus>(
      registry, "tendermint",
      "Tendermint: propose / prevote / precommit rounds with locking, timeouts growing per round",
      {
          param::duration("timeout_propose", "3 s", greater_than(0),
                          std::string("wait for a proposal in round 0") + src),
          param::duration("timeout_propose_delta", "500 ms", at_least(0),
                          std::string("added to timeout_propose per round") + src),
          param::duration(
              "timeout_prevote", "1 s", greater_than(0),
              std::string("after 2f + 1 prevotes of any kind, wait this long for a decisive quorum") + src),
          param::duration("timeout_prevote_delta", "500 ms", at_least(0),
                          std::string("added to timeout_prevote per round") + src),
          param::duration(
              "timeout_precommit", "1 s", greater_than(0),
              std::string("after 2f + 1 precommits of any kind, wait this long before the next round") + src),
          param::duration("timeout_precommit_delta", "500 ms", at_least(0),
                          std::string("added to timeout_precommit per round") + src),
          param::duration("timeout_commit", "1 s", at_least(0),
                          std::string("after a decision, wait this long before the next height") + src),
          param::duration(
              "gossip_interval", "100 ms", greater_than(0),
              "retransmit: a replica answers a peer whose re-sent message shows it lacks votes or a "
              "commit at most this often (CometBFT's default peer_gossip_sleep_duration)"),
          param::duration(
              "query_maj23_interval", "2 s", greater_than(0),
              "retransmit: a replica whose round outlasted its propose timeout re-sends its proposal and "
              "votes of the round this often to the replicas it has not heard from in it (CometBFT's "
              "default peer_query_maj23_sleep_duration)"),
      });
}

}  // namespace dltsim::tendermint
