#pragma once
// Events at the times of a Poisson process on one ledger's clock, while it produces blocks: the
// deposits, transfers, swaps and forgeries bridge mechanisms start.

#include <functional>

#include <boost/random/exponential_distribution.hpp>

#include "sim/core/rng.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

/// Calls fn(now_s) at the arrivals of a Poisson process of rate_per_s from after_s on (nothing at
/// rate 0); stops with the ledger's block production. rng and fn must outlive the run.
inline void schedule_poisson(Runtime& runtime, Rng& rng, double rate_per_s, double after_s,
                             const std::function<void(double)>& fn) {
  if (rate_per_s <= 0) return;
  const double at_s = after_s + boost::random::exponential_distribution<double>(rate_per_s)(rng);
  runtime.call_at(at_s, [&runtime, &rng, rate_per_s, &fn] {
    if (!runtime.producing()) return;
    fn(runtime.now_s());
    schedule_poisson(runtime, rng, rate_per_s, runtime.now_s(), fn);
  });
}

}  // namespace dltsim
