#pragma once
// One node of a longest-chain protocol: produces blocks when the run's BlockProduction gives it a
// chance (proof of work: a Poisson process at rate power share / block interval; Praos: the slots it
// leads), follows the chain its fork-choice rule picks, references uncles if the rules have them, and
// relays blocks with Bitcoin's inv / getdata / block exchange, or compact blocks
// (cmpctblock, then getblocktxn / blocktxn after a failed reconstruction) between nodes that both
// support them. Attacks derive from it and override on_mined / on_block.

#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "protocols/longest_chain/longest_chain_consensus.hpp"
#include "protocols/longest_chain/tx_relay.hpp"
#include "sim/chain/chain_view.hpp"

namespace dltsim::longest_chain {

/// Honest Nakamoto node.
class ChainNode : public Protocol {
 public:
  /// A node of the given consensus.
  ChainNode(LongestChainConsensus& consensus, NodeId id);
  void on_start(NodeContext& ctx) override;
  void on_message(NodeContext& ctx, const Message& msg) override;
  void on_timer(NodeContext& ctx, std::uint64_t tag) override;
  void on_production_stopped(NodeContext& ctx) override;
  /// Announces the head to the peer, as Bitcoin Core announces its best block on a new connection.
  void on_reconnected(NodeContext& ctx, NodeId peer) override;
  /// Stops mining while offline.
  void on_offline(NodeContext& ctx) override;
  /// Mines again (if the run still produces).
  void on_online(NodeContext& ctx) override;
  /// Asks the next announcer at once for the blocks requested from the peer, as Bitcoin Core does
  /// when a peer disconnects with blocks in flight.
  void on_peer_lost(NodeContext& ctx, NodeId peer) override;

  /// This node's view of the chain.
  const ChainView& view() const { return view_; }
  /// This node's wallet created a transaction (with transactions on).
  void on_wallet(NodeContext& ctx, TxId tx);

 protected:
  /// The node found a block. Honest: extend the head, accept it, announce it.
  virtual void on_mined(NodeContext& ctx);
  /// A block arrived, validated, with its parent known. Honest: fork choice; announce a new head.
  virtual void on_block(NodeContext& ctx, BlockId block, NodeId from);
  /// Creates a block on `parent` produced by this node (counted toward the stop condition);
  /// `adversarial` flags blocks an attack mines (tie_break: gamma tells them apart).
  BlockId produce_block(NodeContext& ctx, BlockId parent, bool adversarial = false);
  /// Adds a block to the view with fork choice and records arrival and reorg.
  ViewUpdate accept(NodeContext& ctx, BlockId block);
  /// True for a transaction this node's blocks leave out (an attack's censorship); honest: none.
  virtual bool leaves_out(TxId /*tx*/, double /*now_s*/) const { return false; }
  /// Sends inv for block to every peer except `except` and peers known to have it.
  void announce(NodeContext& ctx, BlockId block, NodeId except);
  /// The shared state.
  LongestChainConsensus& consensus_;
  /// This node's chain view.
  ChainView view_;

 private:
  enum TimerKind : std::uint64_t { kMine = 0, kValidate = 1, kRequestTimeout = 2 };
  static constexpr std::size_t kMinPushPeers = 4;  // geth's minBroadcastPeers
  static std::uint64_t tag(TimerKind kind, BlockId block) { return (std::uint64_t{kind} << 32) | block; }

  struct Request {
    std::vector<NodeId> announcers;  // peers that announced the block, in order
    std::size_t asked = 0;           // announcers asked so far
    TimerId timeout = 0;
  };

  void schedule_mining(NodeContext& ctx);
  std::vector<BlockId> pick_uncles(BlockId parent) const;
  void on_inv(NodeContext& ctx, BlockId block, NodeId from);
  void on_getdata(NodeContext& ctx, BlockId block, NodeId from);
  void on_compact(NodeContext& ctx, BlockId block, NodeId from);
  void request(NodeContext& ctx, BlockId block, NodeId from);
  void ask_next(NodeContext& ctx, BlockId block, Request& req);
  double download_timeout_s(NodeId peer) const;
  void on_block_data(NodeContext& ctx, BlockId block, NodeId from);
  void connect(NodeContext& ctx, BlockId block, NodeId from);
  void push(NodeContext& ctx, BlockId block, NodeId except, const std::vector<NodeId>* holders);
  void promote_high_bandwidth(NodeContext& ctx, NodeId from);
  void on_sendcmpct(NodeId from, bool on);
  std::uint32_t compact_bytes(BlockId block) const;
  std::unique_ptr<TxRelay> tx_relay_;  // with transactions on
  // Known, being validated, or held until its parent arrives: another copy is not needed.
  bool has_or_validating(BlockId block) const {
    return view_.knows(block) || validating_.count(block) != 0 || held_.count(block) != 0;
  }

  NodeId id_;
  Rng mining_rng_;  // mining only: the same mining times across configurations for a seed
  TimerId mining_timer_ = 0;
  bool mining_ = false;
  bool offline_ = false;
  std::unordered_map<BlockId, Request> requests_;
  std::unordered_map<BlockId, NodeId> validating_;  // block -> peer it came from
  std::unordered_map<BlockId, std::vector<std::pair<BlockId, NodeId>>> orphans_;  // parent -> children
  std::unordered_set<BlockId> held_;                                              // blocks in orphans_
  std::unordered_set<BlockId> late_fetches_;  // parents fetched for an orphan: not propagation
  std::vector<NodeId> hb_peers_;              // BIP 152: peers we asked to push compact blocks, newest first
  std::vector<NodeId> hb_listeners_;          // peers that asked us to push compact blocks to them
};

}  // namespace dltsim::longest_chain
