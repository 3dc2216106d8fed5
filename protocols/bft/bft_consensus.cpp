#include "protocols/bft/bft_consensus.hpp"

#include <boost/random/exponential_distribution.hpp>

#include "sim/node/runtime.hpp"

namespace dltsim::bft {

BftConsensus::BftConsensus(const ProtocolSetup& setup, BftConfig config)
    : config_(config),
      n_(setup.node_count),
      f_(faults_tolerated(config, setup.node_count)),
      types_(setup.message_types),
      metrics_(setup.recorder, setup.node_count),
      replicas_(setup.node_count, nullptr),
      workload_rng_(setup.seeds.child("workload").rng()) {}

MessageType BftConsensus::add_type(const std::string& name) {
  const MessageType t = types_.add(name);
  if (t >= type_names_.size()) type_names_.resize(t + 1u);
  type_names_[t] = name;
  return t;
}

void BftConsensus::count_sent(MessageType type, std::uint32_t size, std::uint32_t recipients) {
  for (std::uint32_t i = 0; i < recipients; ++i) metrics_.on_sent(type, size);
}

NodeId BftConsensus::current_leader() const {
  std::uint64_t view = 0;
  for (NodeId i = 0; i < n_; ++i) {
    if (metrics_.honest(i) && !replicas_[i]->behaviour().crashed)
      view = std::max(view, replicas_[i]->current_view());
  }
  return leader_of(view);
}

NodeId BftConsensus::client_leader() const {
  std::uint64_t view = 0;
  for (NodeId i = 0; i < n_; ++i) {
    if (metrics_.honest(i) && !replicas_[i]->behaviour().crashed)
      view = std::max(view, replicas_[i]->established_view());
  }
  return leader_of(view);
}

std::vector<NodeId> BftConsensus::honest_replicas() const {
  std::vector<NodeId> out;
  for (NodeId i = 0; i < n_; ++i) {
    if (metrics_.honest(i)) out.push_back(i);
  }
  return out;
}

void BftConsensus::on_start(Runtime& runtime) {
  runtime_ = &runtime;
  if (config_.tx_rate_per_s > 0) schedule_next_transaction();
}

void BftConsensus::schedule_next_transaction() {
  const double wait_s = boost::random::exponential_distribution<double>(config_.tx_rate_per_s)(workload_rng_);
  runtime_->call_at(runtime_->now_s() + wait_s, [this] {
    if (!runtime_->producing()) return;  // the run is winding down: no more clients
    submit(next_tx_++);
    schedule_next_transaction();
  });
}

void BftConsensus::submit(TxId tx) {
  metrics_.on_submitted(tx, runtime_->now_s());
  if (config_.submit_to == SubmitTo::all) {
    for (Replica* r : replicas_) r->add_transaction(tx);
  } else {
    replicas_[client_leader()]->add_transaction(tx);
    // Not committed in time: the client sends it to everyone (the replicas then watch the leader).
    runtime_->call_at(runtime_->now_s() + config_.client_timeout_s, [this, tx] {
      if (metrics_.committed(tx)) return;
      for (Replica* r : replicas_) r->add_transaction(tx);
    });
  }
}

void BftConsensus::finish(Summary& summary, double end_time_s) {
  summary.set("replicas", static_cast<std::int64_t>(n_), "", "n, the replicas");
  summary.set("faults_tolerated", static_cast<std::int64_t>(f_), "", "f; quorums are 2f + 1");
  summary.set("transactions_submitted", static_cast<std::int64_t>(next_tx_), "",
              "client transactions submitted");
  metrics_.finish(summary, end_time_s, type_names_);
}

}  // namespace dltsim::bft
