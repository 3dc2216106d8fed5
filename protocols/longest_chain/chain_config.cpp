#include "protocols/longest_chain/chain_config.hpp"

namespace dltsim::longest_chain {

std::vector<ParamSpec> relay_param_specs() {
  return {
      param::size("block_size", "535 KB", between(0, 4e9),
                  "full block size (SimBlock's Bitcoin 2019 figure: 535,000 bytes)"),
      param::duration(
          "validation_delay", "0 s", at_least(0),
          "CPU time a node spends validating a block before accepting and relaying it (the node's CPU is "
          "shared by its validations and any CPU flood)"),
      param::boolean("compact_blocks", true,
                     "BIP 152 compact block relay between nodes that both support it"),
      param::only_when(
          param::probability("compact_block_usage", 0.964,
                             "share of nodes supporting compact blocks (SimBlock, Bitcoin 2019: 96.4 %)"),
          "compact_blocks", {"true"}),
      param::only_when(
          param::size(
              "transaction_size", "182 B", between(1, 4e6),
              "average size of a transaction in a block: sets how many short ids a BIP 152 compact block "
              "carries and how large the missing transactions are. The default is calibrated, not "
              "measured: it makes SimBlock's 535 KB block the 18 KB compact block SimBlock uses (Bitcoin "
              "2019, Aoki et al. 2019); set a measured average for studies of transaction counts"),
          "compact_blocks", {"true"}),
      param::only_when(
          param::integer(
              "high_bandwidth_peers", 0, between(0, 3),
              "BIP 152 high-bandwidth mode: a node asks the last this many peers that gave it a new "
              "block first to push compact blocks unannounced (Bitcoin Core: 3); 0 in the "
              "bitcoin-2019 calibration, whose source (SimBlock) relays with inv/getdata only"),
          "compact_blocks", {"true"}),
      param::only_when(
          param::probability("compact_failure_rate", 0.13,
                             "probability that a node cannot reconstruct a compact block (SimBlock: 13 % for "
                             "always-connected nodes)"),
          "compact_blocks", {"true"}),
      param::only_when(param::probability(
                           "compact_missing_fraction", 0.1,
                           "fraction of the block's transactions fetched after a failed reconstruction "
                           "(assumption; SimBlock draws it from an empirical law with median 0.01 and a long "
                           "tail)"),
                       "compact_blocks", {"true"}),
      param::real(
          "download_timeout_base", 1.0, greater_than(0),
          "wait for a requested block, in block intervals, before asking the next peer that announced "
          "it (Bitcoin Core's BLOCK_DOWNLOAD_TIMEOUT_BASE: one block interval, 10 min on Bitcoin)"),
      param::real(
          "download_timeout_per_peer", 0.5, at_least(0),
          "added to that wait, in block intervals, for each other peer the node is downloading a "
          "block from at the time (Bitcoin Core's BLOCK_DOWNLOAD_TIMEOUT_PER_PEER: 5 min on Bitcoin)"),
      param::choice("tie_break", "first_seen", tie_break_names(),
                    "fork choice among chains of equal work: keep the first seen (Bitcoin Core), pick "
                    "uniformly at random (Eyal and Sirer's mitigation), (idealised studies) take the "
                    "attacker's block with probability tie_gamma, or take the tip with the lower "
                    "pseudo-random value, the same at every node (vrf: Praos's tiebreaker)"),
      param::only_when(
          param::probability(
              "tie_gamma", 0.5,
              "with tie_break: gamma, the probability that an honest node takes the attacker's block "
              "in a tie (Eyal and Sirer's gamma)"),
          "tie_break", {"gamma"}),
  };
}

void read_relay_config(const ParamValues& v, Config& c) {
  c.block_size_bytes = v.number("block_size");
  c.validation_delay_s = v.number("validation_delay");
  c.compact_blocks = v.flag("compact_blocks");
  c.compact_usage = v.number("compact_block_usage");
  c.transaction_size_bytes = v.number("transaction_size");
  c.high_bandwidth_peers = static_cast<std::uint32_t>(v.integer("high_bandwidth_peers"));
  c.compact_failure_rate = v.number("compact_failure_rate");
  c.compact_missing_fraction = v.number("compact_missing_fraction");
  c.compact = compact_block(c.block_size_bytes, c.transaction_size_bytes, c.compact_missing_fraction);
  c.download_timeout_base_s = v.number("download_timeout_base") * c.block_interval_s;
  c.download_timeout_per_peer_s = v.number("download_timeout_per_peer") * c.block_interval_s;
  c.tie_rule = TieRule{tie_break_from_name(v.choice("tie_break")), v.number("tie_gamma")};
}

}  // namespace dltsim::longest_chain
