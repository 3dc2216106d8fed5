#pragma once
// A scenario of several ledgers in one run: each ledger is an ordinary scenario file (its network,
// protocol, power, transactions and attacks), loaded and validated as `dltsim run` would load it,
// then given the run's clock (general.stop.time) and a seed from the run's seed tree. The document:
//
//   general: {seed: 1, stop: {time: 24h}}
//   ledgers:
//     - {name: source, scenario: source.yaml, set: {consensus.params.block_interval: 60s}}
//     - {name: destination, scenario: destination.yaml}
//   bridges: [...]        # links between them (docs/interconnect.md)
//   output: {path: run.h5}
//
// Command-line overrides `ledgers.NAME.key.path=value` go to that ledger; the others to this document.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/params.hpp"
#include "sim/scenario/catalog.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace dltsim {

/// One ledger of a multi-ledger scenario.
struct LedgerSpec {
  std::string name;   ///< unique name ([a-z][a-z0-9_]*): result group ledgers/NAME, summary prefix NAME_
  Scenario scenario;  ///< its scenario, validated, with the run's stop and the ledger's seed
  bool seed_given = false;  ///< its seed was written (else derived from the run's seed and its name)
};

/// A link between ledgers (docs/interconnect.md): a registered mechanism with its parameters.
struct BridgeSpec {
  std::string name;                  ///< unique label (summary prefix, rows of the bridge tables)
  std::string mechanism;             ///< registered mechanism (dltsim list)
  ParamValues params;                ///< resolved parameters
  std::vector<std::size_t> ledgers;  ///< ledgers it joins, by index, in the mechanism's role order
  SourceLocation where;              ///< where it was written
};

/// A validated multi-ledger scenario.
struct MultiLedgerScenario {
  std::string source_name;             ///< file name (or "<string>")
  std::string source_text;             ///< the document as written
  std::vector<std::string> overrides;  ///< command-line overrides applied, in order
  std::string effective_yaml;          ///< the document after overrides
  std::uint64_t seed = 1;              ///< master seed of the run
  StopSpec stop;                       ///< the run's end (a time limit: every ledger shares the clock)
  std::vector<LedgerSpec> ledgers;     ///< in document order
  std::vector<BridgeSpec> bridges;     ///< in document order
  OutputSpec output;                   ///< the result file (tables of each ledger go to ledgers/NAME)
  /// Index of the ledger named `name`, or ledgers.size().
  std::size_t ledger_index(const std::string& name) const;
};

/// The same error with its key path under ledgers.NAME (an error found in one ledger's scenario).
ScenarioError in_ledger(const ScenarioError& error, const std::string& name);

/// True when the document declares `ledgers` at its top level (a multi-ledger scenario).
bool declares_ledgers(const ScenarioInput& input);

/// Parses, routes the overrides, loads every ledger's scenario and validates; errors are located.
MultiLedgerScenario load_multi_ledger(const ScenarioInput& input, const Catalog& catalog);

}  // namespace dltsim
