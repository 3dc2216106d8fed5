#pragma once
// What a network partition does to BFT consensus (PBFT, HotStuff, Tendermint), for the partition
// attack. A decision is final, so nothing is orphaned at the heal: what a partition costs is
// liveness. A side holding a quorum (2f + 1 replicas) keeps deciding through the cut; with no quorum
// on either side nothing is decided until the heal, and then consensus resumes only as fast as the
// protocol recovers the messages the cut lost (its retransmission, docs/bft.md).

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "protocols/bft/bft_consensus.hpp"
#include "sim/metrics/summary.hpp"

namespace dltsim::attacks {

/// Commits of honest replicas around one partition window, per side.
class BftPartitionResults {
 public:
  /// side_a[i]: replica i is one of the attack's nodes. Listens to the consensus' honest commits.
  BftPartitionResults(bft::BftConsensus& consensus, std::vector<bool> side_a);
  /// The cut starts at start_s and heals at heal_s (before the run starts).
  void set_window(double start_s, double heal_s);
  /// Replicas on a side (0: A, 1: B).
  std::uint32_t replicas(int side) const { return replicas_[side]; }
  /// Heights an honest replica of the side committed during the partition.
  std::uint32_t committed(int side) const { return static_cast<std::uint32_t>(committed_[side].size()); }
  /// Writes the `<label>_...` keys; `healed`: the run reached the heal.
  void finish(Summary& summary, const std::string& label, bool healed) const;

 private:
  void on_commit(NodeId replica, std::uint64_t height, double now_s, bool decision);
  bft::BftConsensus& consensus_;
  std::vector<bool> side_a_;
  std::uint32_t replicas_[2] = {0, 0};
  double start_s_ = 0;
  double heal_s_ = 0;
  std::uint64_t decisions_during_ = 0;
  std::set<std::uint64_t> committed_[2];  // heights committed during the partition, by side
  double first_decision_after_s_;         // NaN until a decision after the heal
  std::vector<bool> committed_after_;     // by replica: it committed after the heal
  double last_first_after_s_;             // the latest of the replicas' first commits after the heal
};

/// The results of a partition on the run's BFT consensus, or an Error naming the attack when the
/// protocol is neither longest-chain (which the caller handles) nor BFT.
std::unique_ptr<BftPartitionResults> bft_partition_results(Consensus& consensus,
                                                           const std::vector<bool>& side_a,
                                                           const std::string& attack);

}  // namespace dltsim::attacks
