#pragma once
// The protocol extension point. A Protocol is one node's behaviour: event handlers called by the
// node runtime, acting only through its NodeContext. A Consensus is the run-wide part of a protocol
// (shared structures such as the block tree, end-of-run results) and makes the nodes' Protocols.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/params.hpp"
#include "sim/core/registry.hpp"
#include "sim/core/rng.hpp"
#include "sim/net/message.hpp"
#include "sim/node/node_context.hpp"
#include "sim/tx/tx_spec.hpp"

namespace dltsim {

class Recorder;
class Runtime;
class Summary;

/// One node's behaviour.
class Protocol {
 public:
  virtual ~Protocol() = default;
  /// Called once at time 0.
  virtual void on_start(NodeContext& /*ctx*/) {}
  /// A message arrived.
  virtual void on_message(NodeContext& ctx, const Message& msg) = 0;
  /// A timer set with ctx.set_timer fired.
  virtual void on_timer(NodeContext& /*ctx*/, std::uint64_t /*tag*/) {}
  /// The stop condition on produced blocks was reached: stop producing, keep relaying.
  virtual void on_production_stopped(NodeContext& /*ctx*/) {}
  /// This node goes offline (churn): its connections close; it should stop producing.
  virtual void on_offline(NodeContext& /*ctx*/) {}
  /// This node is back online (its connections reopen next, each through on_reconnected).
  virtual void on_online(NodeContext& /*ctx*/) {}
  /// The connection to `peer` closed (the peer went offline): what was asked of it will not come.
  virtual void on_peer_lost(NodeContext& /*ctx*/, NodeId /*peer*/) {}
  /// The connection to `peer` works again after a time in which messages on it were lost (a healed
  /// network cut, a reconnection): catch up as the real protocol does on a new connection.
  virtual void on_reconnected(NodeContext& /*ctx*/, NodeId /*peer*/) {}
};

/// What a protocol gets to build its run-wide state.
struct ProtocolSetup {
  const ParamValues& params;                ///< resolved parameters
  std::uint32_t node_count;                 ///< nodes in the run
  const std::vector<double>& power_shares;  ///< consensus power share per node (sums to 1)
  MessageTypes& message_types;              ///< register message type names here
  Recorder& recorder;                       ///< tables and summary
  SeedTree seeds;                           ///< protocol-wide random streams
  const TxSpec* transactions = nullptr;     ///< the transaction layer, or null when the scenario has none
};

/// Run-wide part of a protocol.
class Consensus {
 public:
  virtual ~Consensus() = default;
  /// The honest behaviour of a node.
  virtual std::unique_ptr<Protocol> make_node(NodeId id) = 0;
  /// Called once before the run starts, after every node is installed (schedule run-wide processes
  /// such as a client workload with runtime.call_at).
  virtual void on_start(Runtime& /*runtime*/) {}
  /// Called once when the run ends (also when interrupted): write tables, fill the summary.
  virtual void finish(Summary& /*summary*/, double /*end_time_s*/) {}
  /// Blocks (or decisions) produced so far, for progress lines.
  virtual std::uint64_t produced() const { return 0; }
};

/// Registry entry of a protocol.
struct ProtocolInfo {
  std::string name;                 ///< scenario name
  /// Its family: protocols of one family share a run-wide base class (a Consensus subclass), so an
  /// attack that names the family (AttackInfo::families) works on every member through that base.
  std::string family;
  std::string summary;              ///< one line
  std::vector<ParamSpec> params;    ///< parameters
  std::vector<std::string> tables;  ///< tables it can record (for output.record)
  std::function<std::unique_ptr<Consensus>(const ProtocolSetup&)> make;  ///< factory
  /// Checks that involve several parameters; returns what is wrong, or "" (may be empty).
  std::function<std::string(const ParamValues&)> check;
  /// Mean time between blocks for these parameters, for protocols whose blocks carry the scenario's
  /// transactions (the loader checks the workload against the capacity); null: no transactions.
  std::function<double(const ParamValues&)> block_interval_s;
};

/// The protocol registry.
using ProtocolRegistry = Registry<ProtocolInfo>;

}  // namespace dltsim
