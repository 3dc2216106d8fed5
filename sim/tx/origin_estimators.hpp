#pragma once
// Estimators of a transaction's origin from what an adversary heard: which nodes passed it to the
// adversary, in time order, and (for the graph estimators) the honest peer graph, which the adversary
// is assumed to know (as Fanti and Viswanath assume). docs/privacy.md states each and its source.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/net/topology.hpp"

namespace dltsim {

/// One report: node `from` passed the transaction to the adversary (at its node `at`) at time_s.
struct OriginReport {
  NodeId from;    ///< the honest node it came from
  NodeId at;      ///< the adversary's node that heard it (or the connection's receiver, on a path)
  double time_s;  ///< when
};

/// What the graph estimators need besides the reports.
struct EstimatorContext {
  const Topology& topology;        ///< the peer graph at the end of the run
  const std::vector<bool>& avoid;  ///< nodes left out of the graph (the adversary's own)
};

/// Scratch space the graph estimators reuse between transactions.
class DistanceScratch {
 public:
  /// Hop distances from `source` up to `depth` (over nodes not avoided); unreached: depth + 1.
  const std::vector<std::uint8_t>& from(NodeId source, std::uint8_t depth, const EstimatorContext& ctx);

 private:
  std::vector<std::uint8_t> dist_;
  std::vector<NodeId> touched_, frontier_, next_;
};

/// The reporters' neighbourhood on the graph: the candidates (reporters and their honest neighbours)
/// and the hop distance from every reporter to every candidate (up to 2; farther counts as 3).
struct ReportGeometry {
  std::vector<NodeId> candidates;               ///< sorted node ids
  std::vector<std::vector<std::uint8_t>> hops;  ///< hops[r][c]: from reporter r to candidate c
};

/// The geometry of a transaction's reports (time order, distinct senders, at least one).
ReportGeometry report_geometry(const std::vector<OriginReport>& reports, const EstimatorContext& ctx,
                               DistanceScratch& scratch);

/// One origin estimator.
struct OriginEstimator {
  std::string name;  ///< as results name it
  std::string doc;   ///< what it does, and its source
  /// The suspected origin from the reports (time order, distinct senders, at least one) and, for
  /// estimators that use the graph, their geometry; kNoNode for none.
  std::function<NodeId(const std::vector<OriginReport>&, const ReportGeometry&)> guess;
  /// It uses the graph (the caller computes the geometry once for all such estimators), and its guess
  /// is known at the last report kept (else at the first).
  bool uses_graph = false;
};

/// The estimators every observer runs, in result order.
const std::vector<OriginEstimator>& origin_estimators();

}  // namespace dltsim
