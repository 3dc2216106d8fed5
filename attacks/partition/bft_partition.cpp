#include "attacks/partition/bft_partition.hpp"

#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace dltsim::attacks {

std::unique_ptr<BftPartitionResults> bft_partition_results(Consensus& consensus,
                                                           const std::vector<bool>& side_a,
                                                           const std::string& attack) {
  auto* bft = dynamic_cast<bft::BftConsensus*>(&consensus);
  if (bft == nullptr) {
    throw Error(fmt::format("attack '{}' needs a protocol of the longest_chain or bft family", attack));
  }
  return std::make_unique<BftPartitionResults>(*bft, side_a);
}

BftPartitionResults::BftPartitionResults(bft::BftConsensus& consensus, std::vector<bool> side_a)
    : consensus_(consensus),
      side_a_(std::move(side_a)),
      first_decision_after_s_(std::nan("")),
      committed_after_(side_a_.size(), false),
      last_first_after_s_(std::nan("")) {
  for (NodeId i = 0; i < side_a_.size(); ++i) ++replicas_[side_a_[i] ? 0 : 1];
  consensus.metrics().add_commit_listener(
      [this](NodeId replica, std::uint64_t height, double now_s, bool decision) {
        on_commit(replica, height, now_s, decision);
      });
}

void BftPartitionResults::set_window(double start_s, double heal_s) {
  start_s_ = start_s;
  heal_s_ = heal_s;
}

void BftPartitionResults::on_commit(NodeId replica, std::uint64_t height, double now_s, bool decision) {
  if (now_s < start_s_) return;
  if (now_s < heal_s_) {
    decisions_during_ += decision ? 1 : 0;
    committed_[side_a_[replica] ? 0 : 1].insert(height);
    return;
  }
  if (decision && std::isnan(first_decision_after_s_)) first_decision_after_s_ = now_s;
  if (!committed_after_[replica]) {
    committed_after_[replica] = true;
    last_first_after_s_ = now_s;
  }
}

void BftPartitionResults::finish(Summary& summary, const std::string& label, bool healed) const {
  const auto key = [&label](const char* name) { return label + "_" + name; };
  // Honesty is read now: attacks mark their replicas while the network is built.
  bool every_honest_after = true;
  for (NodeId i = 0; i < side_a_.size(); ++i) {
    if (consensus_.metrics().honest(i) && !committed_after_[i]) every_honest_after = false;
  }
  summary.set(key("replicas_a"), static_cast<std::int64_t>(replicas_[0]), "",
              "replicas on the attack's side (A); a side decides alone only with 2f + 1");
  summary.set(key("decisions"), static_cast<std::int64_t>(decisions_during_), "",
              "heights (sequence numbers) first committed by an honest replica during the partition");
  summary.set(key("decisions_a"), static_cast<std::int64_t>(committed_[0].size()), "",
              "heights an honest replica of side A committed during the partition");
  summary.set(key("decisions_b"), static_cast<std::int64_t>(committed_[1].size()), "",
              "heights an honest replica of side B committed during the partition");
  const std::string before = "the run ended before the heal";
  summary.set_number(key("resume_s"), healed ? first_decision_after_s_ - heal_s_ : std::nan(""), "s",
                     "from the heal to the first decision after it: how long consensus takes to commit again",
                     healed ? "no decision after the heal within the run" : before);
  summary.set_number(key("all_resume_s"),
                     healed && every_honest_after ? last_first_after_s_ - heal_s_ : std::nan(""), "s",
                     "from the heal until every honest replica had committed again (a replica cut off from "
                     "the quorum rejoins)",
                     healed ? "an honest replica committed nothing after the heal within the run" : before);
}

}  // namespace dltsim::attacks
