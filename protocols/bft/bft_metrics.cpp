#include "protocols/bft/bft_metrics.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace dltsim::bft {

namespace {

struct DecisionRow {
  std::uint32_t replica;
  std::uint64_t height;
  std::uint64_t digest;
  std::uint64_t view;
  double time_s;
  std::uint32_t txs;
  std::uint8_t honest;
};

struct ViolationRow {
  std::uint64_t height;
  std::uint32_t replica_a;
  std::uint64_t digest_a;
  double time_a_s;
  std::uint32_t replica_b;
  std::uint64_t digest_b;
  double time_b_s;
};

TableSchema decisions_schema() {
  return {"decisions",
          "Every commit of every replica: one row per (replica, height or sequence number)",
          sizeof(DecisionRow),
          {DLTSIM_COLUMN(DecisionRow, replica, "", "replica that committed"),
           DLTSIM_COLUMN(DecisionRow, height, "", "height (HotStuff, Tendermint) or sequence number (PBFT)"),
           DLTSIM_COLUMN(DecisionRow, digest, "", "digest of the committed value (batch)"),
           DLTSIM_COLUMN(DecisionRow, view, "", "view (PBFT, HotStuff) or round (Tendermint) of the commit"),
           DLTSIM_COLUMN(DecisionRow, time_s, "s", "when"),
           DLTSIM_COLUMN(DecisionRow, txs, "", "transactions in the value"),
           DLTSIM_COLUMN(DecisionRow, honest, "", "1 unless an attack controls the replica")}};
}

TableSchema violations_schema() {
  return {"safety_violations",
          "Two honest replicas committed different values at the same height: both records",
          sizeof(ViolationRow),
          {DLTSIM_COLUMN(ViolationRow, height, "", "height or sequence number"),
           DLTSIM_COLUMN(ViolationRow, replica_a, "", "the first honest replica to commit there"),
           DLTSIM_COLUMN(ViolationRow, digest_a, "", "its value"),
           DLTSIM_COLUMN(ViolationRow, time_a_s, "s", "when"),
           DLTSIM_COLUMN(ViolationRow, replica_b, "", "an honest replica that committed another value"),
           DLTSIM_COLUMN(ViolationRow, digest_b, "", "that value"),
           DLTSIM_COLUMN(ViolationRow, time_b_s, "s", "when")}};
}

}  // namespace

std::vector<std::string> bft_table_names() {
  return {"decisions", "safety_violations"};
}

BftMetrics::BftMetrics(Recorder& recorder, std::uint32_t n)
    : recorder_(recorder),
      honest_(n, true),
      decisions_table_(recorder.table(decisions_schema())),
      violations_table_(recorder.table(violations_schema())) {}

void BftMetrics::on_submitted(TxId tx, double now_s) {
  if (tx >= submitted_s_.size()) {
    submitted_s_.resize(std::max<std::size_t>(tx + 1, submitted_s_.size() * 2), 0.0);
    tx_committed_.resize(submitted_s_.size(), false);
    tx_submitted_.resize(submitted_s_.size(), false);
  }
  if (!tx_submitted_[tx]) ++submitted_;
  tx_submitted_[tx] = true;
  submitted_s_[tx] = now_s;
}

bool BftMetrics::on_commit(NodeId replica, std::uint64_t height, const BatchPtr& batch, std::uint64_t view,
                           double now_s) {
  const bool is_honest = honest_[replica];
  Recorder::append(decisions_table_, DecisionRow{replica, height, batch->digest, view, now_s,
                                                 static_cast<std::uint32_t>(batch->txs.size()),
                                                 static_cast<std::uint8_t>(is_honest)});
  if (!is_honest) return false;
  const bool decision = record_honest_commit(replica, height, batch, view, now_s);
  for (const CommitListener& listener : listeners_) listener(replica, height, now_s, decision);
  return decision;
}

bool BftMetrics::record_honest_commit(NodeId replica, std::uint64_t height, const BatchPtr& batch,
                                      std::uint64_t view, double now_s) {
  if (height >= heights_.size()) heights_.resize(std::max<std::size_t>(height + 1, heights_.size() * 2));
  Height& h = heights_[height];
  if (!h.value) {
    h.value = batch;
    h.first_replica = replica;
    h.first_s = h.last_s = now_s;
    h.honest_commits = 1;
    h.view = view;
    ++decisions_;
    for (TxId tx : batch->txs) {
      if (tx < tx_committed_.size()) tx_committed_[tx] = true;
    }
    return true;
  }
  if (h.value->digest != batch->digest) {
    ++violations_;
    Recorder::append(violations_table_, ViolationRow{height, h.first_replica, h.value->digest, h.first_s,
                                                     replica, batch->digest, now_s});
    return false;
  }
  ++h.honest_commits;
  h.last_s = std::max(h.last_s, now_s);
  return false;
}

void BftMetrics::on_view_change(NodeId replica, std::uint64_t view) {
  if (!honest_[replica]) return;
  if (std::find(failed_views_.begin(), failed_views_.end(), view) == failed_views_.end())
    failed_views_.push_back(view);
}

void BftMetrics::on_sent(std::size_t type, std::uint64_t bytes) {
  if (type >= sent_.size()) {
    sent_.resize(type + 1, 0);
    sent_bytes_.resize(type + 1, 0);
  }
  ++sent_[type];
  sent_bytes_[type] += bytes;
}

void BftMetrics::finish(Summary& summary, double end_time_s, const std::vector<std::string>& type_names) {
  const auto honest_count = static_cast<std::uint32_t>(std::count(honest_.begin(), honest_.end(), true));
  LogHistogram first, all;
  std::uint64_t txs = 0, all_committed_heights = 0;
  std::vector<double> decision_times;
  std::vector<bool> counted(submitted_s_.size(), false);  // a transaction decided twice counts once
  for (const Height& h : heights_) {
    if (!h.value) continue;
    decision_times.push_back(h.first_s);
    const bool everyone = h.honest_commits >= honest_count;
    all_committed_heights += everyone ? 1 : 0;
    for (TxId tx : h.value->txs) {
      if (tx >= submitted_s_.size() || counted[tx]) continue;
      counted[tx] = true;
      ++txs;
      first.add(h.first_s - submitted_s_[tx]);
      if (everyone) all.add(h.last_s - submitted_s_[tx]);
    }
  }
  std::sort(decision_times.begin(), decision_times.end());
  double longest_gap = decision_times.empty() ? end_time_s : decision_times.front();
  for (std::size_t i = 1; i < decision_times.size(); ++i) {
    longest_gap = std::max(longest_gap, decision_times[i] - decision_times[i - 1]);
  }
  if (!decision_times.empty()) longest_gap = std::max(longest_gap, end_time_s - decision_times.back());

  const std::string no_tx = "no transaction was committed";
  summary.set("decisions", static_cast<std::int64_t>(decisions_), "",
              "heights (sequence numbers) committed by at least one honest replica");
  summary.set("decisions_by_all_honest", static_cast<std::int64_t>(all_committed_heights), "",
              "of those, committed by every honest replica");
  summary.set(
      "safety_violations", static_cast<std::int64_t>(violations_), "",
      "commits by an honest replica of another value than an honest replica committed at that height");
  summary.set("transactions_committed", static_cast<std::int64_t>(txs), "",
              "client transactions in decided values");
  // Latency is over committed transactions only: an attack that stops most commits must show here.
  LogHistogram waiting;
  for (std::size_t tx = 0; tx < tx_submitted_.size(); ++tx) {
    if (tx_submitted_[tx] && !counted[tx]) waiting.add(std::max(0.0, end_time_s - submitted_s_[tx]));
  }
  summary.set("transactions_uncommitted", static_cast<std::int64_t>(waiting.count()), "",
              "submitted transactions that no honest replica committed by the end of the run");
  summary.set_number("committed_fraction",
                     submitted_ ? static_cast<double>(txs) / static_cast<double>(submitted_) : std::nan(""),
                     "",
                     "share of submitted transactions committed by an honest replica (commit latency is over "
                     "these only)",
                     "no transaction was submitted");
  summary.mark_proportions({"committed_fraction"});
  const std::string none_waiting = "every submitted transaction was committed";
  summary.set_number("uncommitted_age_mean_s", waiting.count() ? waiting.mean() : std::nan(""), "s",
                     "mean time uncommitted transactions had waited at the end of the run", none_waiting);
  summary.set_number("uncommitted_age_max_s", waiting.count() ? waiting.max() : std::nan(""), "s",
                     "the longest an uncommitted transaction had waited at the end of the run", none_waiting);
  summary.set_number("throughput_tps", end_time_s > 0 ? static_cast<double>(txs) / end_time_s : std::nan(""),
                     "1/s", "transactions committed per second of simulated time", "the run took no time");
  const std::pair<int, double> qs[] = {{50, 0.5}, {90, 0.9}, {100, 1.0}};
  summary.set_number("commit_latency_mean_s", first.count() ? first.mean() : std::nan(""), "s",
                     "mean time from a transaction's submission to its first commit by an honest replica",
                     no_tx);
  for (const auto& [p, q] : qs) {
    summary.set_number(
        fmt::format("commit_latency_p{}_s", p), first.count() ? first.quantile(q) : std::nan(""), "s",
        fmt::format("{} % of transactions were committed by a first honest replica within this time "
                    "of submission",
                    p),
        no_tx);
  }
  const std::string not_all = "no value was committed by every honest replica";
  summary.set_number("commit_latency_all_mean_s", all.count() ? all.mean() : std::nan(""), "s",
                     "mean time from submission until every honest replica committed the transaction",
                     not_all);
  summary.set_number("commit_latency_all_p90_s", all.count() ? all.quantile(0.9) : std::nan(""), "s",
                     "90 % of transactions were committed by every honest replica within this time", not_all);
  summary.set(
      "longest_gap_without_decision_s", longest_gap, "s",
      "liveness: the longest interval with no new decision (from the start, between decisions, to the end)");
  summary.set(
      "view_changes", static_cast<std::int64_t>(failed_views_.size()), "",
      "views (rounds) honest replicas entered because the previous one failed (timeout, view change)");
  summary.set_number(
      "view_changes_per_decision",
      decisions_ ? static_cast<double>(failed_views_.size()) / static_cast<double>(decisions_) : std::nan(""),
      "", "view changes per decision", "no decision");
  std::uint64_t messages = 0, bytes = 0;
  for (std::size_t t = 0; t < sent_.size(); ++t) {
    messages += sent_[t];
    bytes += sent_bytes_[t];
  }
  summary.set_number(
      "messages_per_decision",
      decisions_ ? static_cast<double>(messages) / static_cast<double>(decisions_) : std::nan(""), "",
      "protocol messages of every type sent per decision (all replicas)", "no decision");
  summary.set_number("bytes_per_decision",
                     decisions_ ? static_cast<double>(bytes) / static_cast<double>(decisions_) : std::nan(""),
                     "bytes", "bytes of protocol messages of every type sent per decision", "no decision");
  for (std::size_t t = 0; t < sent_.size() && t < type_names.size(); ++t) {
    if (decisions_ == 0) break;
    summary.set("messages_per_decision_" + type_names[t],
                static_cast<double>(sent_[t]) / static_cast<double>(decisions_), "",
                type_names[t] + " messages sent per decision (all replicas)");
    summary.set("bytes_per_decision_" + type_names[t],
                static_cast<double>(sent_bytes_[t]) / static_cast<double>(decisions_), "bytes",
                "bytes of " + type_names[t] + " messages sent per decision");
  }
  (void)recorder_;
}

}  // namespace dltsim::bft
