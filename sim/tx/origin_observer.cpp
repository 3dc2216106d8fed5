#include "sim/tx/origin_observer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dltsim {

namespace {

struct ObservationRow {
  double time_s;
  std::uint16_t attack;
  std::uint32_t tx;
  std::uint32_t at;
  std::uint32_t from;
  std::uint8_t kind;
};

TableSchema observations_schema() {
  return {
      "tx_observations",
      "Every sighting of a sample of transactions by an observing attack (docs/privacy.md)",
      sizeof(ObservationRow),
      {DLTSIM_COLUMN(ObservationRow, time_s, "s", "when"),
       DLTSIM_COLUMN(ObservationRow, attack, "", "index of the attack in the scenario"),
       DLTSIM_COLUMN(ObservationRow, tx, "", "transaction id (row of the transactions table)"),
       DLTSIM_COLUMN(ObservationRow, at, "", "the adversary's node that saw it (on a path: the receiver)"),
       DLTSIM_COLUMN(ObservationRow, from, "", "the node it came from"),
       DLTSIM_COLUMN(ObservationRow, kind, "",
                     "0 announced (inv), 1 body (tx), 2 stem, 3 on a path (v1), 4 matched by size (v2)")}};
}

struct GuessRow {
  std::uint16_t attack;
  std::uint8_t estimator;
  std::uint32_t tx;
  std::uint32_t origin;
  std::uint32_t guess;
  std::uint8_t correct;
  double delay_s;
};

TableSchema guesses_schema() {
  return {"origin_guesses",
          "Each estimator's suspected origin of each scored transaction",
          sizeof(GuessRow),
          {DLTSIM_COLUMN(GuessRow, attack, "", "index of the attack in the scenario"),
           DLTSIM_COLUMN(GuessRow, estimator, "",
                         "0 first_timestamp, 1 reporting_centre, 2 timing_fit (docs/privacy.md)"),
           DLTSIM_COLUMN(GuessRow, tx, "", "transaction id"),
           DLTSIM_COLUMN(GuessRow, origin, "", "the node whose wallet created it"),
           DLTSIM_COLUMN(GuessRow, guess, "", "the suspected origin (4294967295: none, nothing was heard)"),
           DLTSIM_COLUMN(GuessRow, correct, "", "1 when the guess is the origin"),
           DLTSIM_COLUMN(GuessRow, delay_s, "s", "from creation to the report the guess waited for")}};
}

}  // namespace

std::vector<std::string> origin_observer_tables() {
  return {"tx_observations", "origin_guesses"};
}

OriginObserver::OriginObserver(TransactionLayer& layer, Recorder& recorder, ObserverOptions options)
    : layer_(layer),
      options_(std::move(options)),
      log_(options_.log_fraction > 0 ? recorder.table(observations_schema()) : nullptr),
      guesses_(recorder.table(guesses_schema())) {}

void OriginObserver::set_adversarial(const std::vector<NodeId>& nodes) {
  for (const NodeId n : nodes) {
    if (n >= adversarial_.size()) adversarial_.resize(n + 1, false);
    adversarial_[n] = true;
  }
}

bool OriginObserver::logged(TxId tx) const {
  if (log_ == nullptr) return false;
  // A fixed sample by id, so that one transaction's sightings are all kept or none.
  const auto every = static_cast<std::uint64_t>(std::llround(1 / options_.log_fraction));
  return every <= 1 || tx % every == 0;
}

void OriginObserver::sighted(TxId tx, NodeId at, NodeId from, double time_s, TxSighting kind) {
  report(tx, at, from, time_s, static_cast<ObservationKind>(kind));
}

void OriginObserver::report(TxId tx, NodeId at, NodeId from, double time_s, ObservationKind kind) {
  if (time_s < options_.start_s || time_s >= options_.end_s) return;
  if (logged(tx)) {
    Recorder::append(log_,
                     ObservationRow{time_s, options_.attack, tx, at, from, static_cast<std::uint8_t>(kind)});
  }
  // What the adversary's own nodes pass on it heard earlier itself: no information.
  if (from == kNoNode || (from < adversarial_.size() && adversarial_[from])) return;
  if (tx >= reports_.size()) reports_.resize(std::max<std::size_t>(tx + 1, reports_.size() * 2));
  std::vector<OriginReport>& r = reports_[tx];
  const auto same =
      std::find_if(r.begin(), r.end(), [from](const OriginReport& x) { return x.from == from; });
  if (same != r.end()) {
    if (same->time_s <= time_s) return;
    r.erase(same);  // an earlier report from the same sender (a late match by size)
  }
  if (r.size() >= options_.reports_kept && r.back().time_s <= time_s) return;
  const auto pos = std::upper_bound(r.begin(), r.end(), time_s,
                                    [](double t, const OriginReport& x) { return t < x.time_s; });
  r.insert(pos, OriginReport{from, at, time_s});
  if (r.size() > options_.reports_kept) r.pop_back();
}

void OriginObserver::finish(Summary& summary, const Topology& topology) {
  const TxTable& table = layer_.table();
  const std::uint32_t n = topology.size();
  std::vector<bool> avoid(n, false);
  for (NodeId i = 0; i < std::min<std::size_t>(n, adversarial_.size()); ++i) avoid[i] = adversarial_[i];
  const EstimatorContext ctx{topology, avoid};
  DistanceScratch scratch;
  const auto& estimators = origin_estimators();
  const std::size_t k = estimators.size();
  const bool uses_graph = std::any_of(estimators.begin(), estimators.end(),
                                      [](const OriginEstimator& e) { return e.uses_graph; });
  // Per estimator: transactions guessed and guessed right, per node: sent, named, named right.
  std::vector<std::uint64_t> guessed(k, 0), correct(k, 0);
  std::vector<std::vector<std::uint32_t>> named(k, std::vector<std::uint32_t>(n, 0)),
      right(k, std::vector<std::uint32_t>(n, 0));
  std::vector<std::vector<double>> delays(k);
  std::vector<std::uint32_t> sent(n, 0);
  std::uint64_t scored = 0;
  static const std::vector<OriginReport> none;
  for (TxId id = 0; id < table.size(); ++id) {
    const Transaction& tx = table.get(id);
    if (tx.created_s < options_.start_s || tx.created_s >= options_.end_s) continue;
    if (tx.origin >= n || (tx.origin < adversarial_.size() && adversarial_[tx.origin])) continue;
    ++scored;
    ++sent[tx.origin];
    const std::vector<OriginReport>& r = id < reports_.size() ? reports_[id] : none;
    ReportGeometry geometry;
    if (!r.empty() && uses_graph) geometry = report_geometry(r, ctx, scratch);
    for (std::size_t e = 0; e < k; ++e) {
      NodeId g = kNoNode;
      double delay = std::nan("");
      if (!r.empty()) {
        g = estimators[e].guess(r, geometry);
        delay = (estimators[e].uses_graph ? r.back().time_s : r.front().time_s) - tx.created_s;
      }
      const bool ok = g == tx.origin;
      if (g != kNoNode) {
        ++guessed[e];
        ++named[e][g];
      }
      if (ok) {
        ++correct[e];
        ++right[e][g];
        delays[e].push_back(delay);
      }
      Recorder::append(guesses_, GuessRow{options_.attack, static_cast<std::uint8_t>(e), id, tx.origin, g,
                                          static_cast<std::uint8_t>(ok), delay});
    }
  }
  const std::string nothing_heard = "the adversary heard no transaction it could score";
  const std::string nothing_sent = "no honest node created a transaction in the attack's window";
  summary.set(key("transactions"), scored, "", "honest transactions created in the window (scored)");
  for (std::size_t e = 0; e < k; ++e) {
    const std::string& name = estimators[e].name;
    const auto div = [](double a, double b) { return b > 0 ? a / b : std::nan(""); };
    double node_precision = 0, node_recall = 0;
    std::uint64_t origins = 0, linked = 0;
    for (NodeId v = 0; v < n; ++v) {
      if (sent[v] == 0) continue;
      ++origins;
      // Dandelion++'s precision of a node: its transactions named right over all named after it (0 if none).
      node_precision += named[e][v] > 0 ? static_cast<double>(right[e][v]) / named[e][v] : 0;
      node_recall += static_cast<double>(right[e][v]) / sent[v];
      linked += right[e][v] > 0 ? 1 : 0;
    }
    summary.set(key(name + "_guessed"), guessed[e], "",
                "transactions it named an origin for (" + estimators[e].doc + ")");
    summary.set_number(key(name + "_precision"),
                       div(static_cast<double>(correct[e]), static_cast<double>(guessed[e])), "",
                       "right guesses over guesses", nothing_heard);
    summary.set_number(
        key(name + "_recall"), div(static_cast<double>(correct[e]), static_cast<double>(scored)), "",
        "right guesses over transactions: the share linked to their origin's address", nothing_sent);
    summary.set_number(
        key(name + "_node_precision"), div(node_precision, static_cast<double>(origins)), "",
        "per origin node, right guesses over guesses naming it, averaged (Dandelion++'s expected precision)",
        nothing_sent);
    summary.set_number(key(name + "_node_recall"), div(node_recall, static_cast<double>(origins)), "",
                       "per origin node, its transactions linked to it, averaged", nothing_sent);
    summary.set_number(key(name + "_nodes_linked_share"),
                       div(static_cast<double>(linked), static_cast<double>(origins)), "",
                       "origin nodes with at least one transaction linked to them", nothing_sent);
    std::vector<double>& d = delays[e];
    double median = std::nan("");
    if (!d.empty()) {
      std::sort(d.begin(), d.end());
      median = d.size() % 2 == 1 ? d[d.size() / 2] : (d[d.size() / 2 - 1] + d[d.size() / 2]) / 2;
    }
    summary.set_number(key(name + "_correct_delay_median_s"), median, "s",
                       "time from creation to the report a right guess waited for, median",
                       "no guess was right");
    for (const char* p : {"_precision", "_recall", "_node_precision", "_node_recall", "_nodes_linked_share"})
      summary.mark_proportions({key(name + p)});
  }
}

}  // namespace dltsim
