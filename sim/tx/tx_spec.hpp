#pragma once
// The scenario's `transactions` section: the workload wallets create, how nodes relay and keep
// transactions (after Bitcoin Core), and what is recorded. Chain protocols that carry transactions
// read it; docs/transactions.md explains the model.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/enum_names.hpp"
#include "sim/core/ids.hpp"

namespace dltsim {

/// How the creation of transactions is spread over nodes.
enum class OriginRule {
  equal,         ///< every node's wallet the same rate
  shares,        ///< explicit shares for nodes 0..k-1, the rest split equally
  heavy_tailed,  ///< node of rank k (a seeded random order) gets a share proportional to k^-exponent
  cycle,         ///< every node in turn, in a seeded random order: n transactions give each node one
};
/// The names a scenario writes for each OriginRule.
const EnumNames<OriginRule>& origin_rule_names();

/// Law of a positive quantity (transaction size, fee rate).
enum class QuantityLaw {
  fixed,      ///< always the median
  lognormal,  ///< exp(normal(ln median, sigma))
};
/// The names a scenario writes for each QuantityLaw.
const EnumNames<QuantityLaw>& quantity_law_names();

/// How a node passes transactions to its peers.
enum class TxRelayMode {
  trickle,    ///< Bitcoin Core since 0.13 (2016): inv batches on Poisson timers, getdata, tx
  diffusion,  ///< each peer gets the inv after its own exponential delay (Bitcoin Core before 0.13)
};
/// The names a scenario writes for each TxRelayMode.
const EnumNames<TxRelayMode>& tx_relay_mode_names();

/// What a mempool does with a transaction that spends an output a pooled one spends.
enum class ReplacePolicy {
  first_seen,  ///< keep the first, drop the newcomer
  full_rbf,    ///< replace when the newcomer pays more (Bitcoin Core's default since v28)
};
/// The names a scenario writes for each ReplacePolicy.
const EnumNames<ReplacePolicy>& replace_policy_names();

/// How a stem node picks the relay of a transaction (Dandelion++ section 4.2).
enum class StemRouting {
  per_edge,         ///< each inbound peer is mapped to one relay for the epoch; own transactions to one relay
  per_transaction,  ///< a relay drawn for every transaction (the original Dandelion's forwarding)
};
/// The names a scenario writes for each StemRouting.
const EnumNames<StemRouting>& stem_routing_names();

/// When a stem transaction turns to fluff (diffusion).
enum class FluffRule {
  per_epoch,  ///< each node is a diffuser for the epoch with the fluff probability (Dandelion++)
  per_hop,    ///< a coin with the fluff probability at every hop (BIP 156)
};
/// The names a scenario writes for each FluffRule.
const EnumNames<FluffRule>& fluff_rule_names();

/// Law of the random part of an embargo timer.
enum class EmbargoLaw {
  exponential,  ///< exponential with the mean (Dandelion++ equation 7, BIP 156's reference code)
  poisson,      ///< a Poisson number of seconds with the mean (Monero)
  uniform,      ///< uniform on [0, 2 x mean] (Grin: 180 s plus up to 30 s)
};
/// The names a scenario writes for each EmbargoLaw.
const EnumNames<EmbargoLaw>& embargo_law_names();

/// Dandelion's stem phase: a transaction first travels a random path of single hops on an
/// anonymity graph (each node's relays, re-drawn every epoch), then spreads as usual (fluff).
struct StemSpec {
  bool enabled = false;            ///< the section was given
  std::string preset;              ///< parameter set it started from ("dandelion++", "bip156", ...), or ""
  double fluff_probability = 0.1;  ///< q: probability of turning to fluff (per epoch or per hop)
  FluffRule fluff = FluffRule::per_epoch;            ///< when that coin is thrown
  std::uint32_t relays = 2;                          ///< stem relays per node and epoch (outbound peers)
  StemRouting routing = StemRouting::per_edge;       ///< how a relay is picked
  double epoch_s = 600;                              ///< relays and role are re-drawn this often
  double embargo_min_s = 0;                          ///< fixed part of the embargo timer
  double embargo_s = 16.6;                           ///< mean of its random part
  EmbargoLaw embargo_law = EmbargoLaw::exponential;  ///< law of its random part
};

/// A transaction written in the scenario (besides the random workload): for conflicts and tests.
struct ScriptedTx {
  std::string name;             ///< label, unique in the scenario
  double time_s = 0;            ///< when its wallet creates it
  NodeId node = 0;              ///< the node whose wallet creates it
  double size_bytes = 250;      ///< size (virtual size: the block capacity counts it)
  double fee_rate_sat_vb = 10;  ///< fee rate, satoshi per virtual byte
  std::string conflicts;        ///< name of a scripted transaction it double-spends, or ""
};

struct TxSpec;
/// Mean transaction size of the spec's size law in bytes (the cap and floor move it little): what the
/// loader holds against the blocks' capacity.
double mean_tx_size_bytes(const TxSpec& spec);

/// The transaction layer of a scenario.
struct TxSpec {
  bool enabled = false;  ///< the section was given
  std::string preset;    ///< figures it started from ("bitcoin-2019"), or ""
  double tx_per_s = 1;   ///< workload: transactions created per second, network-wide (0: none)
  OriginRule origin = OriginRule::equal;          ///< how creation is spread over nodes
  std::vector<double> origin_shares;              ///< shares: of nodes 0..k-1
  double origin_exponent = 1;                     ///< heavy_tailed: Zipf exponent
  QuantityLaw size_law = QuantityLaw::lognormal;  ///< law of sizes
  double size_bytes = 300;                        ///< median size
  double size_sigma = 1;                          ///< lognormal: sigma of ln(size)
  double max_size_bytes = 100000;                 ///< sizes are capped here (Core's standardness limit)
  QuantityLaw fee_law = QuantityLaw::lognormal;   ///< law of fee rates
  double fee_rate_sat_vb = 10;                    ///< median fee rate
  double fee_sigma = 1;                           ///< lognormal: sigma of ln(fee rate)
  std::vector<ScriptedTx> scripted;               ///< transactions written out
  double block_capacity_bytes = 1e6;              ///< virtual bytes of transactions a block holds
  double template_refresh_s =
      30;                 ///< miners work on a template this old at most (uniform age); 0: always current
  bool overload = false;  ///< allow a workload above the blocks' capacity (the queue grows without bound)
  TxRelayMode relay = TxRelayMode::trickle;  ///< relay mode
  double inbound_interval_s = 5;             ///< trickle: mean of the timer shared by inbound peers
  double outbound_interval_s = 2;            ///< trickle: mean of each outbound peer's timer
  std::uint32_t inv_target = 70;             ///< trickle: announcements per trickle (plus 5 per 1,000 queued)
  std::uint32_t inv_max = 1000;              ///< trickle: most announcements per trickle
  double diffusion_delay_s = 2;              ///< diffusion: mean delay per peer
  double nonpreferred_delay_s = 2;           ///< a request to an inbound announcer waits this long
  double request_timeout_s = 60;             ///< then the next announcer is asked
  ReplacePolicy replace = ReplacePolicy::full_rbf;  ///< conflicting spends
  double incremental_fee_rate_sat_vb = 1;           ///< a replacement pays at least this much more per vbyte
  double min_fee_rate_sat_vb = 1;                   ///< mempool and relay minimum
  double mempool_bytes = 300e6;     ///< mempool cap (transaction bytes); the lowest fee rates go first
  double expiry_s = 336 * 3600.0;   ///< a transaction leaves a mempool this long after it entered
  double sample_interval_s = 60;    ///< mempool table: time between samples
  std::uint32_t sample_nodes = 16;  ///< mempool table: nodes sampled (the first ones)
  double arrivals_fraction = 0;     ///< tx_arrivals table: share of transactions whose arrivals are kept
  StemSpec stem;                    ///< Dandelion's stem phase (off unless given)
  double proxy_share = 0;           ///< share of transactions a wallet sends through a random other node
  double proxy_delay_s = 0.5;       ///< mean of the exponential delay to the proxy (a Tor circuit)
  double v2_share = 0;              ///< share of connections on BIP 324 v2 transport (encrypted)
};

}  // namespace dltsim
