#pragma once
// The longest-chain family's base (as protocols/bft is the BFT family's): the run-wide state every
// member shares (Nakamoto proof of work, Praos with its slot lottery): configuration, how blocks are
// produced, the shared block tree, message types, which nodes speak compact blocks, the chain
// metrics and rewards. A member is this class with its own BlockProduction and parameters; the
// attacks of the family (AttackInfo::families) work on it through this interface alone.

#include <memory>
#include <vector>

#include "protocols/longest_chain/block_production.hpp"
#include "protocols/longest_chain/chain_config.hpp"
#include "protocols/longest_chain/uncle_rewards.hpp"
#include "sim/chain/block_tree.hpp"
#include "sim/chain/chain_metrics.hpp"
#include "sim/node/protocol.hpp"
#include "sim/tx/transaction_layer.hpp"

namespace dltsim::longest_chain {

/// The family's name (ProtocolInfo::family; attacks name it in AttackInfo::families).
inline constexpr const char* kFamily = "longest_chain";

/// A message type id no message has.
inline constexpr MessageType kNoMessageType = 0xffff;

/// The registered message types of the relay protocol.
struct MessageTypeIds {
  MessageType inv;          ///< announces a block
  MessageType getdata;      ///< requests a block
  MessageType block;        ///< a full block
  MessageType cmpctblock;   ///< a compact block (BIP 152)
  MessageType getblocktxn;  ///< requests transactions missing from a compact block
  MessageType blocktxn;     ///< the missing transactions
  MessageType sendcmpct;    ///< asks a peer to push compact blocks unannounced, or to stop (BIP 152)
  MessageType tx_inv = kNoMessageType;      ///< announces transactions (with transactions on)
  MessageType tx_getdata = kNoMessageType;  ///< requests transactions
  MessageType tx = kNoMessageType;          ///< one transaction
  MessageType tx_stem = kNoMessageType;     ///< one transaction in Dandelion's stem phase

  /// True for the messages that carry a block's data (full, compact, or its missing transactions):
  /// what on-path and relay attacks hold back.
  bool carries_block(MessageType t) const { return t == block || t == cmpctblock || t == blocktxn; }
};

/// Payload of sendcmpct: high-bandwidth mode on or off.
struct HighBandwidth : Payload {
  /// On (push compact blocks to me) or off.
  bool on;
  explicit HighBandwidth(bool b) : on(b) {}
};

/// Payload naming one block (shared by every message about that block).
struct BlockRef : Payload {
  /// The block.
  BlockId block;
  explicit BlockRef(BlockId b) : block(b) {}
};

/// Payload of getblocktxn with transactions on: what the receiver of a compact block lacks.
struct MissingTxs : BlockRef {
  /// Transactions it lacks.
  std::uint64_t count;
  /// Their bytes.
  double bytes;
  MissingTxs(BlockId b, std::uint64_t c, double s) : BlockRef(b), count(c), bytes(s) {}
};

/// Run-wide part of the protocol.
class LongestChainConsensus : public Consensus {
 public:
  /// A member's way to produce blocks on the shared relay and chain rules: registers message types,
  /// declares tables.
  LongestChainConsensus(const ProtocolSetup& setup, const Config& config,
                        std::unique_ptr<BlockProduction> production);
  std::unique_ptr<Protocol> make_node(NodeId id) override;
  /// Starts the wallets' workload and the mempool samples (with transactions on).
  void on_start(Runtime& runtime) override;
  void finish(Summary& summary, double end_time_s) override;
  std::uint64_t produced() const override { return tree_.size() - 1; }

  /// Parameters.
  const Config& config() const { return config_; }
  /// How blocks are produced.
  BlockProduction& production() { return *production_; }
  /// `node` is controlled by an attack (its reorgs are no settlement failure).
  void mark_adversarial(NodeId node) { metrics_.mark_adversarial(node); }
  /// True when blocks reference uncles (rewards then count them).
  bool uncles() const { return config_.max_uncles > 0; }
  /// The uncle and nephew reward rules.
  RewardRules reward_rules() const {
    return RewardRules{config_.uncle_reward_divisor, config_.nephew_reward};
  }
  /// All blocks.
  BlockTree& tree() { return tree_; }
  /// Chain results.
  ChainMetrics& metrics() { return metrics_; }
  /// Tables and summary of the run.
  Recorder& recorder() { return recorder_; }
  /// Message types.
  const MessageTypeIds& types() const { return types_; }
  /// True if the node relays compact blocks.
  bool speaks_compact(NodeId node) const { return compact_[node]; }
  /// Nodes in the run.
  std::uint32_t node_count() const { return static_cast<std::uint32_t>(power_shares_.size()); }
  /// Power share of a node.
  double power_share(NodeId node) const { return power_shares_[node]; }
  /// The random stream of node `id`'s mining, its own so that the same seed gives the same mining
  /// times whatever else the configuration changes (common random numbers).
  Rng mining_rng(NodeId id) const { return seeds_.child("mining").child(id).rng(); }
  /// The shared payload naming block b.
  const PayloadPtr& ref(BlockId b);
  /// The main chain at the end of the run (its head by the fork-choice rule), from genesis's child.
  std::vector<BlockId> main_chain();
  /// Hands a transaction to a node's wallet relay (if the node runs one and is online).
  void deliver(Runtime& runtime, NodeId node, TxId tx);
  /// The transaction layer, or null when the scenario has no transactions.
  TransactionLayer* transactions() { return tx_.get(); }
  /// The shared payload of a tx message.
  const PayloadPtr& tx_ref(TxId tx);
  /// The shared sendcmpct payloads.
  const PayloadPtr& high_bandwidth(bool on) const { return on ? hb_on_ : hb_off_; }

 private:
  void record_rewards(Summary& summary);
  Config config_;
  std::unique_ptr<BlockProduction> production_;
  Recorder& recorder_;
  SeedTree seeds_;
  std::vector<double> power_shares_;
  BlockTree tree_;
  ChainMetrics metrics_;
  MessageTypeIds types_;
  std::vector<bool> compact_;
  std::vector<PayloadPtr> refs_;
  std::unique_ptr<TransactionLayer> tx_;
  std::vector<PayloadPtr> tx_refs_;
  void schedule_wallet(Runtime& runtime, double at_s);
  void schedule_scripted(Runtime& runtime);
  void schedule_sample(Runtime& runtime, double at_s);
  PayloadPtr hb_on_ = std::make_shared<const HighBandwidth>(true);
  PayloadPtr hb_off_ = std::make_shared<const HighBandwidth>(false);
};

/// The run's consensus as the family's base, or an Error naming `attack` if the protocol is of
/// another family.
LongestChainConsensus& require(Consensus& consensus, const std::string& attack);

}  // namespace dltsim::longest_chain
