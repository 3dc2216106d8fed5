#pragma once
// One node's transaction relay, as Bitcoin Core does it (constants cited in docs/transactions.md):
// a transaction a node accepts into its mempool is queued for every peer that is not known to have
// it; announcements (inv) go out in batches when the peer's Poisson timer fires (one timer shared by
// all inbound peers, one per outbound peer), highest fee rates first, up to a number per trickle;
// a node requests an announced transaction (getdata) at once from an outbound announcer and after
// a delay from an inbound one, and asks the next announcer when a request times out. With diffusion
// (Core before 0.13) each peer's announcement waits its own exponential delay instead.
// With Dandelion's stem phase (transactions.stem) a new transaction first hops from node to node on
// each node's stem relays (tx_stem messages, neither announced nor served), until a node turns it
// to fluff (the relay above) or an embargo timer fires.
// Every message names its sender and receiver and is counted by type; the relay reports what it
// hears from whom to the transaction layer's watchers (spies, a supernode).

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/net/message.hpp"
#include "sim/node/node_context.hpp"
#include "sim/tx/tx_table.hpp"

namespace dltsim::longest_chain {

class LongestChainConsensus;

/// Payload of tx_inv and tx_getdata: the transactions announced or requested.
struct TxList : Payload {
  /// Transaction ids.
  std::vector<TxId> txs;
  explicit TxList(std::vector<TxId> t) : txs(std::move(t)) {}
};

/// Payload of a tx message (shared by every message carrying that transaction).
struct TxRef : Payload {
  /// The transaction.
  TxId tx;
  explicit TxRef(TxId t) : tx(t) {}
};

/// Timer tags of the relay carry this marker in their top byte (the node's own tags never do).
inline constexpr std::uint64_t kTxTimerMarker = 0x5a;

/// Transaction relay of one node.
class TxRelay {
 public:
  /// The relay of node `id`.
  TxRelay(LongestChainConsensus& consensus, NodeId id);
  /// This node's wallet created tx.
  void on_wallet(NodeContext& ctx, TxId tx);
  /// A tx_inv, tx_getdata or tx message arrived.
  void on_message(NodeContext& ctx, const Message& msg);
  /// A relay timer fired (its tag has kTxTimerMarker).
  void on_timer(NodeContext& ctx, std::uint64_t tag);
  /// The node's head moved from old_head to new_head: confirm and return transactions.
  void on_head_changed(NodeContext& ctx, BlockId old_head, BlockId new_head);
  /// The connection to peer closed: its queue goes, its requests go to the next announcer.
  void on_peer_lost(NodeContext& ctx, NodeId peer);
  /// The stem relay this node uses now for a transaction from `from` (kNoNode: its own wallet), or
  /// kNoNode when it has none (no peers); draws the epoch's relays and role when due.
  NodeId stem_relay(NodeContext& ctx, NodeId from);

 private:
  // Which transactions a peer is known to have (it announced or sent them, or we did to it): a
  // window over the latest 4,096 ids, as Core's per-peer rolling filter of known inventory.
  class KnownWindow {
   public:
    void mark(TxId tx);
    bool has(TxId tx) const;

   private:
    static constexpr TxId kSpan = 4096;
    std::array<std::uint64_t, kSpan / 64> bits_{};
    TxId hi_ = 0;
    bool any_ = false;
  };
  struct Link {
    NodeId peer;
    bool outbound;
    std::vector<TxId> queue;  // to announce at its next trickle
    bool timer_set = false;
    KnownWindow known;
  };
  struct Announcer {
    NodeId peer;
    bool preferred;  // an outbound peer
    double ready_s;  // when it may be asked
    bool tried = false;
  };
  struct Request {
    std::vector<Announcer> announcers;
    NodeId in_flight = kNoNode;
    double deadline_s = 0;  // of the request in flight
  };
  // A request's next step: an inbound announcer becomes ready, or the request in flight times out.
  // Both delays are constants, so each list is in time order: a queue per kind and one timer at its
  // front, instead of a timer per transaction. Entries whose step was taken otherwise lapse.
  struct Due {
    double time_s;
    TxId tx;
  };
  struct DueQueue {
    std::deque<Due> entries;
    bool armed = false;
    double armed_for_s = 0;  // the time the timer was set for (the front entry's, when it was set)
  };
  enum Kind : std::uint64_t {
    kTrickleOutbound = 1,
    kTrickleInbound = 2,
    kTimeout = 3,
    kDiffuse = 4,
    kReady = 5,
    kEmbargo = 6
  };
  static std::uint64_t tag(Kind kind, NodeId peer, TxId tx) {
    return (kTxTimerMarker << 56) | (std::uint64_t{kind} << 52) | (std::uint64_t{peer & 0xfffffu} << 32) | tx;
  }

  Link& link(NodeContext& ctx, NodeId peer);
  void relay(NodeContext& ctx, TxId tx, NodeId except);
  void arm(NodeContext& ctx, Link& l);
  void trickle(NodeContext& ctx, Link& l);
  void on_inv(NodeContext& ctx, const std::vector<TxId>& txs, NodeId from);
  void on_getdata(NodeContext& ctx, const std::vector<TxId>& txs, NodeId from);
  void on_tx(NodeContext& ctx, TxId tx, NodeId from);
  void ask(NodeContext& ctx, TxId tx, Request& req, double now_s);
  void send_inv(NodeContext& ctx, Link& l, std::vector<TxId> txs);
  void schedule(NodeContext& ctx, DueQueue& q, Kind kind, Due due);
  void on_due(NodeContext& ctx, DueQueue& q, Kind kind);
  void arm_due(NodeContext& ctx, DueQueue& q, Kind kind);
  void request_from(NodeContext& ctx, TxId tx, Request& req, Announcer& a);
  void on_stem(NodeContext& ctx, TxId tx, NodeId from);
  void send_stem(NodeContext& ctx, TxId tx, NodeId from);
  void fluff(NodeContext& ctx, TxId tx, NodeId except);
  void draw_epoch(NodeContext& ctx, std::int64_t epoch);
  void refresh_epoch(NodeContext& ctx);

  LongestChainConsensus& consensus_;
  NodeId id_;
  std::vector<Link> links_;      // by peer id
  std::vector<NodeId> peer_of_;  // links_[i].peer, packed: the lookups touch one cache line
  std::size_t insert_link(NodeContext& ctx, std::size_t at, NodeId peer);
  std::map<TxId, Request> requests_;
  DueQueue timeouts_;  // requests in flight, by deadline
  DueQueue ready_;     // inbound announcers, by the time they may be asked
  bool inbound_timer_set_ = false;
  // Stem phase: this epoch's relays, role, and inbound-edge map (drawn when first needed).
  struct Stem {
    std::int64_t epoch = -1;
    double offset_s = -1;  // this node's epoch clock starts at -offset_s
    std::vector<NodeId> relays;
    NodeId own = kNoNode;  // relay of its own transactions (per_edge)
    bool diffuser = false;
    std::vector<std::pair<NodeId, NodeId>> edges;  // inbound peer -> relay (per_edge)
  };
  Stem stem_;
};

}  // namespace dltsim::longest_chain
