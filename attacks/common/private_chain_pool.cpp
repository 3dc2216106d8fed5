#include "attacks/common/private_chain_pool.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/node/runtime.hpp"

namespace dltsim::attacks {

// ---- PoolNode ----

PoolNode::PoolNode(longest_chain::LongestChainConsensus& consensus, NodeId id, PrivateChainPool& pool)
    : ChainNode(consensus, id), pool_(pool) {}

void PoolNode::on_start(NodeContext& ctx) {
  ctx_ = &ctx;
  ChainNode::on_start(ctx);
}

void PoolNode::on_mined(NodeContext& ctx) {
  if (!pool_.active()) return ChainNode::on_mined(ctx);
  pool_.on_mined(*this);
}

void PoolNode::on_block(NodeContext& ctx, BlockId block, NodeId from) {
  if (!pool_.active()) return ChainNode::on_block(ctx, block, from);
  if (pool_.captured(from)) {
    // A captured miner's block: the pool's if it extends the private chain; else a stale block this
    // member records (so that it does not fetch it again) and nobody builds on.
    if (!view_.knows(block) && !pool_.take_captured(block)) accept(ctx, block);
    return;
  }
  // Record the arrival and keep the view current; the pool decides what to mine and publish, and
  // does not relay the honest network's blocks.
  accept(ctx, block);
  pool_.on_public_block(block);
}

void PoolNode::publish_to_captured(BlockId block) {
  const PayloadPtr& ref = consensus_.ref(block);
  for (const PeerLink& p : ctx_->peers()) {
    if (pool_.captured(p.peer)) ctx_->send(p.peer, consensus_.types().inv, longest_chain::kInvSizeBytes, ref);
  }
}

void PoolNode::follow(BlockId block) {
  // Members may not all have every public block: the pool shares them internally.
  std::vector<BlockId> missing;
  for (BlockId b = block; !view_.knows(b); b = consensus_.tree().get(b).parent) missing.push_back(b);
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) view_.learn(*it);
  view_.adopt(block);
}

// ---- PrivateChainPool ----

PrivateChainPool::PrivateChainPool(longest_chain::LongestChainConsensus& consensus, const AttackSpec& spec)
    : consensus_(consensus), start_s_(spec.start_s), end_s_(spec.end_s) {}

std::unique_ptr<Protocol> PrivateChainPool::make_member(NodeId id, std::unique_ptr<Protocol> honest) {
  const auto* plain = dynamic_cast<const longest_chain::ChainNode*>(honest.get());
  if (plain == nullptr || dynamic_cast<const PoolNode*>(honest.get()) != nullptr) {
    throw Error(
        fmt::format("node {} is controlled by two private-chain attacks; give them disjoint nodes", id));
  }
  auto node = std::make_unique<PoolNode>(consensus_, id, *this);
  members_.push_back(node.get());
  member_ids_.push_back(id);
  consensus_.mark_adversarial(id);
  return node;
}

void PrivateChainPool::schedule(Runtime& runtime) {
  runtime_ = &runtime;
  runtime.call_at(start_s_, [this] { begin(); });
  if (std::isfinite(end_s_)) runtime.call_at(end_s_, [this] { finish_window(); });
}

void PrivateChainPool::call_in(double delay_s, std::function<void()> fn) {
  runtime_->call_at(now_s() + delay_s, std::move(fn));
}

double PrivateChainPool::now_s() const {
  return runtime_->now_s();
}

void PrivateChainPool::begin() {
  const BlockTree& tree = consensus_.tree();
  BlockId best = 0;
  for (const PoolNode* m : members_) {
    if (tree.chain_weight(m->view().head()) > tree.chain_weight(best)) best = m->view().head();
  }
  public_head_ = private_head_ = best;
  published_height_ = tree.get(best).height;
  fork_label_ = Fork::irrelevant;
  active_ = true;
  on_begin();
}

void PrivateChainPool::finish_window() {
  if (!active_) return;  // ended early (end_window)
  const BlockTree& tree = consensus_.tree();
  if (tree.chain_weight(private_head_) > tree.chain_weight(public_head_)) publish_all();
  for (PoolNode* m : members_) m->follow(public_head_);
  active_ = false;
}

void PrivateChainPool::on_mined(PoolNode& miner) {
  // A slot's second block cannot extend the first (Praos): the pool's chain gains nothing from it.
  if (consensus_.production().parent_for(consensus_.tree(), private_head_, now_s()) != private_head_) return;
  const BlockId block = miner.mine_on(private_head_);
  extend_private(block);
  feed_captured(block);
  after_pool_block();
}

void PrivateChainPool::extend_private(BlockId block) {
  for (PoolNode* m : members_) {
    m->learn(block);
    consensus_.metrics().on_arrival(block, m->context().id(), now_s());
  }
  private_head_ = block;
  if (fork_label_ != Fork::active) fork_label_ = Fork::irrelevant;
}

void PrivateChainPool::capture(NodeId node) {
  if (node >= captured_.size()) captured_.resize(node + 1, false);
  captured_[node] = true;
}

void PrivateChainPool::feed_captured(BlockId block) {
  if (captured_.empty()) return;
  for (PoolNode* m : members_) m->publish_to_captured(block);
}

bool PrivateChainPool::take_captured(BlockId block) {
  if (consensus_.tree().get(block).parent != private_head_) return false;
  extend_private(block);
  feed_captured(block);  // the other captured miners mine on it at once, as on the pool's own blocks
  after_pool_block();
  return true;
}

void PrivateChainPool::on_public_block(BlockId block) {
  if (block >= processed_.size()) processed_.resize(std::max<std::size_t>(block + 1, processed_.size() * 2));
  if (processed_[block]) return;
  processed_[block] = true;
  const BlockTree& tree = consensus_.tree();
  if (!(tree.chain_weight(block) > tree.chain_weight(public_head_))) return;  // first seen wins ties
  const std::uint32_t fork_height = tree.get(tree.common_ancestor(private_head_, public_head_)).height;
  const bool on_published = tree.get(tree.common_ancestor(private_head_, block)).height > fork_height;
  public_head_ = block;
  fork_label_ = Fork::relevant;
  after_public_block(block, on_published);
}

RaceState PrivateChainPool::state() const {
  const BlockTree& tree = consensus_.tree();
  const std::uint32_t fork = tree.get(tree.common_ancestor(private_head_, public_head_)).height;
  return RaceState{tree.get(private_head_).height - fork, tree.get(public_head_).height - fork, fork_label_};
}

void PrivateChainPool::adopt() {
  private_head_ = public_head_;
  published_height_ = consensus_.tree().get(public_head_).height;
  fork_label_ = Fork::irrelevant;
  if (!captured_.empty()) {
    // The captured miners hear of the honest chain only from the pool: give them its head to mine on.
    for (PoolNode* m : members_) m->follow(public_head_);
    feed_captured(public_head_);
  }
}

void PrivateChainPool::announce(BlockId block) {
  for (PoolNode* m : members_) m->publish(block);
}

void PrivateChainPool::publish_up_to(std::uint32_t height) {
  const BlockTree& tree = consensus_.tree();
  height = std::min(height, tree.get(private_head_).height);
  for (std::uint32_t ht = published_height_ + 1; ht <= height; ++ht) {
    const BlockId b = tree.ancestor_at(private_head_, ht);
    for (PoolNode* m : members_) m->publish(b);
  }
  published_height_ = std::max(published_height_, height);
}

void PrivateChainPool::override_chain() {
  const RaceState s = state();
  if (s.a <= s.h) return;
  const BlockTree& tree = consensus_.tree();
  const std::uint32_t target = tree.get(public_head_).height + 1;
  publish_up_to(target);
  public_head_ = tree.ancestor_at(private_head_, target);
  fork_label_ = Fork::irrelevant;
}

void PrivateChainPool::match() {
  const RaceState s = state();
  if (s.a < s.h || s.h == 0) return;
  publish_up_to(consensus_.tree().get(public_head_).height);
  fork_label_ = Fork::active;
}

void PrivateChainPool::publish_all() {
  const BlockTree& tree = consensus_.tree();
  publish_up_to(tree.get(private_head_).height);
  if (tree.chain_weight(private_head_) > tree.chain_weight(public_head_)) public_head_ = private_head_;
  fork_label_ = Fork::irrelevant;
}

void PrivateChainPool::restart_from(BlockId block) {
  private_head_ = block;
  published_height_ = consensus_.tree().get(block).height;
  fork_label_ = Fork::irrelevant;
}

}  // namespace dltsim::attacks
