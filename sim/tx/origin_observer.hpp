#pragma once
// An adversary that listens for transactions (at nodes it runs, or on the paths it carries): it keeps
// the first reports of each transaction (which honest node passed it on, when), logs every sighting
// of a sample of transactions, names a suspected origin per transaction with each estimator
// (origin_estimators.hpp), and scores the guesses against the truth: precision and recall over
// transactions and per origin node, and how long a correct guess took.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/metrics/recorder.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/net/topology.hpp"
#include "sim/tx/origin_estimators.hpp"
#include "sim/tx/transaction_layer.hpp"

namespace dltsim {

/// How an observer saw a transaction (column `kind` of tx_observations).
enum class ObservationKind : std::uint8_t {
  announced = 0,  ///< an announcement (inv) to one of its nodes
  body = 1,       ///< a transaction's body (tx) to one of its nodes
  stem = 2,       ///< a stem-phase transaction to one of its nodes
  on_path = 3,    ///< a readable (v1) message on a connection it carries
  by_size = 4,    ///< an encrypted (v2) message matched to a transaction by its size
};

/// Settings of one observer.
struct ObserverOptions {
  std::string label;               ///< prefix of its summary values
  std::uint16_t attack = 0;        ///< its index in the scenario (table column)
  std::uint32_t reports_kept = 8;  ///< distinct senders kept per transaction (the graph estimators use them)
  double log_fraction = 0;         ///< share of transactions whose every sighting goes to tx_observations
  double start_s = 0;              ///< it listens from
  double end_s = 0;                ///< until
};

/// Tables an observer can record.
std::vector<std::string> origin_observer_tables();

/// The reports and guesses of one adversary.
class OriginObserver : public TxWatcher {
 public:
  /// An observer of `layer`'s transactions.
  OriginObserver(TransactionLayer& layer, Recorder& recorder, ObserverOptions options);
  /// Its nodes: never named as origins, their wallets' transactions not scored, their reports ignored.
  void set_adversarial(const std::vector<NodeId>& nodes);
  /// A sighting at one of the nodes it watches.
  void sighted(TxId tx, NodeId at, NodeId from, double time_s, TxSighting kind) override;
  /// Records that `from` passed tx on at time_s, seen at `at` (any order in time).
  void report(TxId tx, NodeId at, NodeId from, double time_s, ObservationKind kind);
  /// Scores every estimator; `topology` is the graph the adversary knows.
  void finish(Summary& summary, const Topology& topology);

 private:
  std::string key(const std::string& name) const { return options_.label + "_" + name; }
  bool logged(TxId tx) const;
  TransactionLayer& layer_;
  ObserverOptions options_;
  std::vector<bool> adversarial_;
  std::vector<std::vector<OriginReport>> reports_;  // per transaction, time order, distinct senders
  TableWriter* log_;
  TableWriter* guesses_;
};

}  // namespace dltsim
