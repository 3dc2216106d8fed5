#include "interconnect/common/chain_ledger.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "protocols/longest_chain/longest_chain_consensus.hpp"

namespace dltsim {

ChainLedger::ChainLedger(const LedgerHandle& ledger)
    : runtime_(ledger.runtime),
      consensus_(dynamic_cast<longest_chain::LongestChainConsensus*>(ledger.consensus)) {
  if (consensus_ == nullptr)
    throw Error(fmt::format("ledger {}: a chain bridge needs a longest-chain protocol (nakamoto, praos)",
                            quote_value(ledger.name)));
  layer_ = consensus_->transactions();
  if (layer_ == nullptr)
    throw Error(
        fmt::format("ledger {}: a chain bridge needs its transactions section", quote_value(ledger.name)));
}

void ChainLedger::deliver(NodeId node, TxId tx) const {
  consensus_->deliver(*runtime_, node, tx);
}

std::uint32_t ChainLedger::depth(NodeId node, TxId tx, BlockId head, BlockId& hint) const {
  if ((layer_->state(node, tx) & kTxConfirmed) == 0) return 0;
  const BlockTree& tree = consensus_->tree();
  const std::uint32_t head_height = tree.get(head).height;
  if (hint != kNoBlock) {
    const std::uint32_t h = tree.get(hint).height;
    if (h <= head_height && tree.ancestor_at(head, h) == hint) return head_height - h + 1;
  }
  // Found once per block that takes it: walk down from the head.
  for (BlockId b = head; tree.get(b).height > 0; b = tree.get(b).parent) {
    const std::vector<TxId>& txs = layer_->block(b);
    if (std::find(txs.begin(), txs.end(), tx) != txs.end()) {
      hint = b;
      return head_height - tree.get(b).height + 1;
    }
  }
  return 0;
}

std::unordered_map<TxId, BlockId> ChainLedger::main_chain_txs() const {
  std::unordered_map<TxId, BlockId> txs;
  for (const BlockId b : consensus_->main_chain()) {
    for (const TxId tx : layer_->block(b)) txs.emplace(tx, b);
  }
  return txs;
}

const Block& ChainLedger::block(BlockId id) const {
  return consensus_->tree().get(id);
}

std::string check_chain_ledgers(const std::vector<const Scenario*>& ledgers,
                                const std::vector<BridgeNodeParam>& nodes) {
  for (const Scenario* sc : ledgers) {
    if (!sc->transactions.enabled)
      return fmt::format("the ledger of {} has no transactions section: a bridge moves transactions",
                         quote_value(sc->source_name));
  }
  for (const BridgeNodeParam& p : nodes) {
    const std::uint32_t n = ledgers.at(p.role)->network.nodes;
    if (p.value >= static_cast<std::int64_t>(n))
      return fmt::format("params.{}: node {} does not exist; the ledger has nodes 0 to {}", p.name, p.value,
                         n - 1);
  }
  return "";
}

}  // namespace dltsim
