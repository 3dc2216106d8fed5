#pragma once
// The machinery shared by attacks that mine a private chain on Nakamoto consensus (selfish mining,
// double spending, majority rewrites): a pool of attacker nodes with one private chain, the state
// of the race against the public chain (fork point, private length a, public length h, fork label),
// and the actions of Sapirshtein et al.: adopt, override, match, wait. Pool members share blocks
// among themselves instantly (a pool's internal network) and publish over the simulated network.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "attacks/common/race_state.hpp"
#include "protocols/longest_chain/chain_node.hpp"
#include "sim/adversary/attack.hpp"

namespace dltsim::attacks {

class PrivateChainPool;

/// A pool member: a Nakamoto node whose mining and block handling go to the pool while the attack
/// is active, and that behaves honestly outside the attack's time window.
class PoolNode : public longest_chain::ChainNode {
 public:
  /// A member of `pool`.
  PoolNode(longest_chain::LongestChainConsensus& consensus, NodeId id, PrivateChainPool& pool);
  void on_start(NodeContext& ctx) override;
  /// This member's context (set at start).
  NodeContext& context() { return *ctx_; }
  /// Adds a private block to this member's knowledge (it can then serve it).
  void learn(BlockId block) { view_.learn(block); }
  /// Announces a block to all peers.
  void publish(BlockId block) { announce(*ctx_, block, kNoNode); }
  /// Follows `block` as an honest node would from now on (end of the attack window).
  void follow(BlockId block);
  /// Creates a block (counted toward the stop condition) on `parent`.
  BlockId mine_on(BlockId parent) { return produce_block(*ctx_, parent, true); }
  /// Announces a block to the peers the pool has captured (eclipsed miners it feeds its chain).
  void publish_to_captured(BlockId block);
  /// The pool this node belongs to.
  PrivateChainPool& pool() { return pool_; }

 protected:
  void on_mined(NodeContext& ctx) override;
  void on_block(NodeContext& ctx, BlockId block, NodeId from) override;

 private:
  PrivateChainPool& pool_;
  NodeContext* ctx_ = nullptr;
};

/// Shared state and actions of a private-chain attack.
class PrivateChainPool {
 public:
  /// A pool of the given members, active in [start_s, end_s).
  PrivateChainPool(longest_chain::LongestChainConsensus& consensus, const AttackSpec& spec);
  virtual ~PrivateChainPool() = default;

  /// Makes the member node for `id`, replacing its honest behaviour.
  std::unique_ptr<Protocol> make_member(NodeId id, std::unique_ptr<Protocol> honest);
  /// Schedules the start and end of the attack window.
  void schedule(Runtime& runtime);
  /// True while the attack runs.
  bool active() const { return active_; }

  /// A member found a block.
  void on_mined(PoolNode& miner);
  /// A member accepted a public block (honest, or published earlier by the pool and relayed back).
  void on_public_block(BlockId block);
  /// From now on `node` (an eclipsed miner) gets every private block, and its blocks that extend the
  /// private head count as the pool's: the pool mines with its power too.
  void capture(NodeId node);
  /// Sends the private head to the captured nodes (a newly captured one then mines on it).
  void announce_head_to_captured() { feed_captured(private_head_); }
  /// True for a captured node.
  bool captured(NodeId node) const { return node < captured_.size() && captured_[node]; }
  /// A member received `block` from a captured node: if it extends the private head it becomes the
  /// pool's next private block (true); else it is ignored (false).
  bool take_captured(BlockId block);

 protected:
  /// The pool found a block (already on the private chain).
  virtual void after_pool_block() = 0;
  /// The public head changed to `block`; `on_published` tells whether it extends the pool's
  /// published blocks (an honest miner took the pool's side of a tie).
  virtual void after_public_block(BlockId block, bool on_published) = 0;
  /// The attack window opened (state reset to the public head).
  virtual void on_begin() {}

  /// The race state now.
  RaceState state() const;
  /// Abandons the private chain and mines on the public head.
  void adopt();
  /// Publishes h + 1 private blocks: the public chain switches to the pool's (needs a > h).
  void override_chain();
  /// Publishes h private blocks: a tie on the public chain (needs a >= h >= 1).
  void match();
  /// Publishes every private block.
  void publish_all();
  /// Restarts the private chain on `block` (an ancestor of the public head, majority rewrites).
  void restart_from(BlockId block);
  /// Every member announces `block` to its peers, leaving the race state as it is.
  void announce(BlockId block);
  /// Ends the attack window now (instead of at its end time): as at the end, the pool publishes a
  /// heavier private chain and its members follow the public head.
  void end_window() { finish_window(); }
  /// Runs fn after delay_s of simulated time.
  void call_in(double delay_s, std::function<void()> fn);
  /// Current simulated time.
  double now_s() const;
  /// The run's runtime (from schedule() on).
  Runtime& runtime() const { return *runtime_; }
  /// The member nodes, in the order they joined.
  const std::vector<NodeId>& member_ids() const { return member_ids_; }

  longest_chain::LongestChainConsensus& consensus_;  ///< protocol state
  BlockId private_head_ = 0;                         ///< the pool's chain head
  BlockId public_head_ = 0;                          ///< the best public chain the pool knows
  Fork fork_label_ = Fork::irrelevant;               ///< label of the race

 private:
  void publish_up_to(std::uint32_t height);
  void feed_captured(BlockId block);
  void extend_private(BlockId block);  // every member learns it; it is the new private head
  void begin();
  void finish_window();
  std::vector<PoolNode*> members_;
  std::vector<NodeId> member_ids_;
  std::uint32_t published_height_ = 0;  // private blocks up to this height are public
  std::vector<bool> processed_;         // public blocks already handled (several members receive each)
  std::vector<bool> captured_;          // nodes whose power the pool uses (empty: none)
  double start_s_;
  double end_s_;
  bool active_ = false;
  Runtime* runtime_ = nullptr;
};

/// An attack carried out by one private-chain pool: its nodes get the pool's behaviour and the pool's
/// time window is scheduled. Derived attacks make pool_ and report in finish().
template <class Pool>
class PoolAttack : public Attack {
 public:
  std::unique_ptr<Protocol> make_node(NodeId id, std::unique_ptr<Protocol> honest) override {
    return pool_->make_member(id, std::move(honest));
  }
  void on_start(Runtime& runtime) override { pool_->schedule(runtime); }

 protected:
  /// Checks the protocol and keeps the summary label.
  explicit PoolAttack(const AttackSetup& setup)
      : consensus_(longest_chain::require(setup.consensus, setup.spec.name)), label_(setup.label) {}
  /// Summary key: the attack's label, "_", name.
  std::string key(const char* name) const { return label_ + "_" + name; }

  longest_chain::LongestChainConsensus& consensus_;  ///< protocol state
  std::string label_;                                ///< summary prefix
  std::unique_ptr<Pool> pool_;                       ///< the pool
};

}  // namespace dltsim::attacks
