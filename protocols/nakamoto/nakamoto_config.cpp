#include "protocols/nakamoto/nakamoto_config.hpp"

namespace dltsim::nakamoto {

std::vector<ParamSpec> param_specs() {
  std::vector<ParamSpec> specs{
      param::duration("block_interval", "600 s", greater_than(0),
                      "mean time between blocks over the whole network (Bitcoin: 600 s)"),
  };
  for (ParamSpec& p : longest_chain::relay_param_specs()) specs.push_back(std::move(p));
  const std::vector<ParamSpec> chain{
      param::choice("fork_choice", "longest", fork_choice_names(),
                    "which chain a node follows: the longest (most work; Bitcoin, and Ethereum's total "
                    "difficulty) or GHOST (from genesis, the child with the heaviest known subtree at each "
                    "fork; Sompolinsky and Zohar 2015)"),
      param::choice("relay", "head", {"head", "all"},
                    "which blocks a node passes on: those that become its head (Bitcoin Core) or every valid "
                    "block (Ethereum's block propagation, which lets stale blocks reach miners as uncles)"),
      param::choice("push", "none", {"none", "sqrt"},
                    "how a block goes to peers: announced to all, each fetching it (none: Bitcoin's inv and "
                    "getdata), or sent whole, unannounced, to the square root of the peers that lack it (at "
                    "least 4) and announced to the others (sqrt: geth 1.9's BroadcastBlock)"),
      param::integer("max_uncles", 0, between(0, 16),
                     "stale blocks (uncles) a block may reference for their reward (Ethereum: 2; 0: no "
                     "uncles)"),
      param::integer("uncle_depth", 6, between(1, 1000),
                     "an uncle's height is at most this many below the referencing block's (Ethereum: 6: its "
                     "parent is an ancestor 2 to 7 generations back)"),
      param::real("uncle_reward_divisor", 8, greater_than(0),
                  "an uncle referenced by a block d heights above it earns (divisor - d) / divisor of the "
                  "block reward, if positive (Ethereum's yellow paper: 8)"),
      param::real("nephew_reward", 1.0 / 32, between(0, 1),
                  "a block earns this share of the block reward for each uncle it references (Ethereum: "
                  "1/32)"),
  };
  specs.insert(specs.end(), chain.begin(), chain.end());
  return specs;
}
longest_chain::Config read_config(const ParamValues& v) {
  longest_chain::Config c{};
  c.block_interval_s = v.number("block_interval");
  longest_chain::read_relay_config(v, c);
  c.fork_choice = fork_choice_from_name(v.choice("fork_choice"));
  c.relay_all = v.choice("relay") == "all";
  c.push_sqrt = v.choice("push") == "sqrt";
  c.max_uncles = static_cast<std::uint32_t>(v.integer("max_uncles"));
  c.uncle_depth = static_cast<std::uint32_t>(v.integer("uncle_depth"));
  c.uncle_reward_divisor = v.number("uncle_reward_divisor");
  c.nephew_reward = v.number("nephew_reward");
  return c;
}

}  // namespace dltsim::nakamoto
