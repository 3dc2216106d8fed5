#include "protocols/nakamoto/nakamoto_consensus.hpp"

#include <boost/random/bernoulli_distribution.hpp>

#include "protocols/nakamoto/nakamoto_node.hpp"

namespace dltsim::nakamoto {

NakamotoConsensus::NakamotoConsensus(const ProtocolSetup& setup)
    : config_(read_config(setup.params)),
      seeds_(setup.seeds),
      power_shares_(setup.power_shares),
      metrics_(setup.recorder, tree_, power_shares_) {
  types_.inv = setup.message_types.add("inv");
  types_.getdata = setup.message_types.add("getdata");
  types_.block = setup.message_types.add("block");
  types_.cmpctblock = setup.message_types.add("cmpctblock");
  types_.getblocktxn = setup.message_types.add("getblocktxn");
  types_.blocktxn = setup.message_types.add("blocktxn");
  // Only runs with high-bandwidth relay have this message (others keep their tables as they were).
  types_.sendcmpct = config_.high_bandwidth_peers > 0 ? setup.message_types.add("sendcmpct") : kNoMessageType;
  Rng rng = setup.seeds.child("compact_support").rng();
  boost::random::bernoulli_distribution<> supports(config_.compact_usage);
  compact_.resize(setup.node_count);
  for (NodeId i = 0; i < setup.node_count; ++i) compact_[i] = config_.compact_blocks && supports(rng);
}

std::unique_ptr<Protocol> NakamotoConsensus::make_node(NodeId id) {
  return std::make_unique<NakamotoNode>(*this, id);
}

const PayloadPtr& NakamotoConsensus::ref(BlockId b) {
  if (b >= refs_.size()) refs_.resize(std::max<std::size_t>(b + 1, refs_.size() * 2));
  if (!refs_[b]) refs_[b] = std::make_shared<const BlockRef>(b);
  return refs_[b];
}

void NakamotoConsensus::finish(Summary& summary, double /*end_time_s*/) {
  metrics_.finish(summary);
}

}  // namespace dltsim::nakamoto
