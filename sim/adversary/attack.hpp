#pragma once
// The attack extension point. An attack may (each optional) give the nodes it controls an
// adversarial behaviour (wrapping or replacing the honest Protocol), add a network filter that sees
// every message, and change the run at given times through the runtime (topology changes). It is
// active between its start and end times and selects its nodes declaratively (node_selection.hpp).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/params.hpp"
#include "sim/core/registry.hpp"
#include "sim/core/rng.hpp"
#include "sim/net/message_filter.hpp"
#include "sim/node/protocol.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

class Network;
class Runtime;
class Recorder;
class Summary;

/// What an attack gets to set itself up.
struct AttackSetup {
  const AttackSpec& spec;            ///< parameters and time window
  std::string label;                 ///< prefix of its summary values: the name, or name_i if repeated
  std::uint16_t index;               ///< position in the scenario's attacks list (table column `attack`)
  const std::vector<NodeId>& nodes;  ///< nodes it controls
  Consensus& consensus;              ///< the protocol's run-wide state
  Network& network;                  ///< the network
  MessageTypes& message_types;       ///< message type names
  Recorder& recorder;                ///< tables and summary
  SeedTree seeds;                    ///< the attack's random streams
  /// Its node-selection parameters resolved (sorted ids), by name; a parameter left at none is absent.
  const std::map<std::string, std::vector<NodeId>>& selections;
};

/// One attack instance in a run.
class Attack {
 public:
  virtual ~Attack() = default;
  /// Behaviour of a controlled node, given its honest behaviour (return it unchanged to keep it).
  virtual std::unique_ptr<Protocol> make_node(NodeId /*id*/, std::unique_ptr<Protocol> honest) {
    return honest;
  }
  /// A filter on every message, or null.
  virtual MessageFilter* filter() { return nullptr; }
  /// Called once before the run starts (schedule topology changes with runtime.call_at).
  virtual void on_start(Runtime& /*runtime*/) {}
  /// Called once when the run ends: write tables, fill the summary.
  virtual void finish(Summary& /*summary*/) {}
};

/// Registry entry of an attack.
struct AttackInfo {
  std::string name;                 ///< scenario name
  std::string summary;              ///< one line
  std::vector<ParamSpec> params;    ///< parameters
  std::vector<std::string> tables;  ///< tables it can record
  /// Parameter holding the total share of consensus power its nodes take (split equally), e.g. a
  /// pool's "alpha"; empty if the attack leaves power as the scenario set it.
  std::string power_param;
  /// Protocol families it can attack (ProtocolInfo::family; empty: any protocol): a new member of a
  /// family gets the family's attacks without editing them.
  std::vector<std::string> families;
  /// It acts on transactions: the scenario needs a `transactions` section.
  bool needs_transactions = false;
  /// Checks that involve several parameters; returns what is wrong, or "" (may be empty).
  std::function<std::string(const ParamValues&)> check;
  /// Checks parameters against the attack's time window [start_s, end_s); returns what is wrong, or ""
  /// (may be empty).
  std::function<std::string(const ParamValues&, double start_s, double end_s)> check_window;
  /// Checks against the network it runs on (a model it needs); returns what is wrong, or "" (may be empty).
  std::function<std::string(const ParamValues&, const NetworkSpec&)> check_network;
  /// Factory; throws Error if the protocol is not of a family it can attack.
  std::function<std::unique_ptr<Attack>(const AttackSetup&)> make;
};

/// The attack registry.
using AttackRegistry = Registry<AttackInfo>;

}  // namespace dltsim
