#pragma once
// The extension point for links between ledgers (docs/interconnect.md): a bridge mechanism joins
// ledgers of one run, in the roles it declares ("source", "destination"), and records its own
// tables and summary. It acts on a ledger only from that ledger's events, and reaches another
// ledger through a hand-off (LedgerLinks::hand_off): ledgers run ahead of SimGrid's clock by at
// most the hand-off time, so a hand-off never lands in the receiving ledger's past.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/params.hpp"
#include "sim/core/registry.hpp"
#include "sim/core/rng.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/net/network.hpp"
#include "sim/node/protocol.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

struct BridgeSpec;

/// One ledger of the run as a bridge sees it.
struct LedgerHandle {
  std::string name;      ///< the ledger's name in the scenario
  Runtime* runtime;      ///< its nodes, clock and transport
  Consensus* consensus;  ///< its run-wide protocol state
};

/// Hand-offs between the ledgers of a run.
class LedgerLinks {
 public:
  /// The run's ledgers; no hand-off is shorter than min_hand_off_s.
  LedgerLinks(std::vector<LedgerHandle> ledgers, double min_hand_off_s)
      : ledgers_(std::move(ledgers)), min_hand_off_s_(min_hand_off_s) {}
  /// The ledgers, in scenario order.
  const std::vector<LedgerHandle>& ledgers() const { return ledgers_; }
  /// Shortest hand-off: also how far each ledger may run past SimGrid's clock.
  double min_hand_off_s() const { return min_hand_off_s_; }
  /// Runs fn on ledger `to` delay_s (at least min_hand_off_s) after the event ledger `from` is
  /// handling now: a message between an operator's nodes on the two ledgers.
  void hand_off(std::size_t from, std::size_t to, double delay_s, std::function<void()> fn) const;

 private:
  std::vector<LedgerHandle> ledgers_;
  double min_hand_off_s_;
};

/// What a bridge is built from.
struct BridgeSetup {
  const BridgeSpec& spec;                   ///< its scenario entry (params, ledgers by role)
  std::string label;                        ///< prefix of its summary keys (its name)
  std::uint16_t index;                      ///< position among the scenario's bridges
  std::vector<std::size_t> ledger_of_role;  ///< run ledger index per declared role
  const LedgerLinks& links;                 ///< the run's ledgers and hand-offs
  Recorder& recorder;                       ///< the run's root tables and summary
  SeedTree seeds;                           ///< its random streams
};

/// A running link between ledgers.
class Bridge {
 public:
  virtual ~Bridge() = default;
  /// Called once before the run starts, after every ledger's nodes and attacks are installed.
  virtual void on_start() {}
  /// Called once when the run ends (also when interrupted): tables and summary.
  virtual void finish(Summary& /*summary*/, double /*end_time_s*/) {}
};

/// Registry entry of a bridge mechanism.
struct BridgeInfo {
  std::string name;                 ///< scenario name (`mechanism`)
  std::string summary;              ///< one line, with its source
  std::vector<std::string> roles;   ///< ledger roles, each a key of the scenario entry ("source")
  std::vector<ParamSpec> params;    ///< parameters
  std::vector<std::string> tables;  ///< tables it can record
  /// Checks that involve several parameters; returns what is wrong, or "" (may be empty).
  std::function<std::string(const ParamValues&)> check;
  /// Checks against the ledgers' scenarios in role order (node ids in range, transactions on, the
  /// protocol it needs); returns what is wrong, or "" (may be empty).
  std::function<std::string(const ParamValues&, const std::vector<const Scenario*>&)> check_ledgers;
  /// Factory; throws Error when a ledger's protocol cannot carry it.
  std::function<std::unique_ptr<Bridge>(const BridgeSetup&)> make;
};

/// The bridge registry.
using BridgeRegistry = Registry<BridgeInfo>;

}  // namespace dltsim
