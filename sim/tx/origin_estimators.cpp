#include "sim/tx/origin_estimators.hpp"

#include <algorithm>
#include <limits>

namespace dltsim {

namespace {

// Hop distances are computed this far; farther counts as this plus one. The first reporters of a
// transaction are the origin's peers or theirs; on graphs of Bitcoin's degree a ball of radius 3
// already holds most nodes (16^3), which made every estimate a scan of the graph.
constexpr std::uint8_t kDepth = 2;

}  // namespace

ReportGeometry report_geometry(const std::vector<OriginReport>& reports, const EstimatorContext& ctx,
                               DistanceScratch& scratch) {
  // Candidates: the reporters and their honest neighbours (the origin announces to its neighbours
  // first, so it is one of them or one hop from one).
  ReportGeometry g;
  for (const OriginReport& r : reports) {
    g.candidates.push_back(r.from);
    for (const PeerLink& p : ctx.topology.peers(r.from)) {
      if (!ctx.avoid[p.peer]) g.candidates.push_back(p.peer);
    }
  }
  std::sort(g.candidates.begin(), g.candidates.end());
  g.candidates.erase(std::unique(g.candidates.begin(), g.candidates.end()), g.candidates.end());
  g.hops.assign(reports.size(), std::vector<std::uint8_t>(g.candidates.size()));
  for (std::size_t r = 0; r < reports.size(); ++r) {
    const std::vector<std::uint8_t>& dist = scratch.from(reports[r].from, kDepth, ctx);
    for (std::size_t c = 0; c < g.candidates.size(); ++c) g.hops[r][c] = dist[g.candidates[c]];
  }
  return g;
}

namespace {

// The Jordan centre of the reporters: the candidate whose farthest reporter is nearest; ties go to
// the smaller sum of distances, then to the earliest reporter among them, then the lower id.
NodeId reporting_centre(const std::vector<OriginReport>& reports, const ReportGeometry& g) {
  const std::vector<NodeId>& cands = g.candidates;
  const auto& d = g.hops;
  NodeId best = kNoNode;
  unsigned best_max = std::numeric_limits<unsigned>::max(), best_sum = best_max;
  for (std::size_t c = 0; c < cands.size(); ++c) {
    unsigned mx = 0, sum = 0;
    for (std::size_t r = 0; r < reports.size(); ++r) {
      mx = std::max<unsigned>(mx, d[r][c]);
      sum += d[r][c];
    }
    if (mx < best_max || (mx == best_max && sum < best_sum)) {
      best = cands[c];
      best_max = mx;
      best_sum = sum;
    }
  }
  return best;
}

// Timestamps against distances: the candidate for which t_r = t0 + tau d(c, r) fits the reports best
// (least squares with tau >= 0), as Pinto, Thiran and Vetterli's estimator does with Gaussian
// delays; ties go to the earlier candidate in id order.
NodeId timing_fit(const std::vector<OriginReport>& reports, const ReportGeometry& g) {
  if (reports.size() < 2) return reports.front().from;
  const std::vector<NodeId>& cands = g.candidates;
  const auto& d = g.hops;
  const auto n = static_cast<double>(reports.size());
  double tmean = 0;
  for (const OriginReport& r : reports) tmean += r.time_s;
  tmean /= n;
  NodeId best = kNoNode;
  double best_rss = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < cands.size(); ++c) {
    double dmean = 0;
    for (std::size_t r = 0; r < reports.size(); ++r) dmean += d[r][c];
    dmean /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t r = 0; r < reports.size(); ++r) {
      const double x = d[r][c] - dmean, y = reports[r].time_s - tmean;
      sxy += x * y;
      sxx += x * x;
      syy += y * y;
    }
    const double tau = sxx > 0 ? std::max(0.0, sxy / sxx) : 0;
    const double rss = syy - 2 * tau * sxy + tau * tau * sxx;
    if (rss < best_rss - 1e-12) {
      best = cands[c];
      best_rss = rss;
    }
  }
  return best;
}

}  // namespace

const std::vector<std::uint8_t>& DistanceScratch::from(NodeId source, std::uint8_t depth,
                                                       const EstimatorContext& ctx) {
  const auto unreached = static_cast<std::uint8_t>(depth + 1);
  if (dist_.size() != ctx.topology.size()) dist_.assign(ctx.topology.size(), unreached);
  for (const NodeId n : touched_) dist_[n] = unreached;
  touched_.clear();
  frontier_.assign(1, source);
  dist_[source] = 0;
  touched_.push_back(source);
  for (std::uint8_t level = 1; level <= depth && !frontier_.empty(); ++level) {
    next_.clear();
    for (const NodeId u : frontier_) {
      for (const PeerLink& p : ctx.topology.peers(u)) {
        if (ctx.avoid[p.peer] || dist_[p.peer] != unreached) continue;
        dist_[p.peer] = level;
        touched_.push_back(p.peer);
        next_.push_back(p.peer);
      }
    }
    frontier_.swap(next_);
  }
  return dist_;
}

const std::vector<OriginEstimator>& origin_estimators() {
  static const std::vector<OriginEstimator> estimators{
      {"first_timestamp",
       "the node that first passed the transaction to the adversary (first spy; Biryukov et al. 2014, Fanti "
       "and Viswanath 2017's first-timestamp estimator)",
       [](const std::vector<OriginReport>& r, const ReportGeometry&) { return r.front().from; }, false},
      {"reporting_centre",
       "the Jordan centre of the first reporters on the known honest graph (Fanti and Viswanath's "
       "reporting-centre idea): the node whose farthest reporter is nearest",
       reporting_centre, true},
      {"timing_fit",
       "the node whose hop distances to the reporters best explain their times by a line t0 + tau d "
       "(least squares, after Pinto, Thiran and Vetterli 2012)",
       timing_fit, true}};
  return estimators;
}

}  // namespace dltsim
