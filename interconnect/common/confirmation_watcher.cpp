#include "interconnect/common/confirmation_watcher.hpp"

#include <utility>

namespace dltsim {

void ConfirmationWatcher::start() {
  ledger_.layer().observe_head(node_, [this](NodeId, BlockId head, double now_s) { on_head(head, now_s); });
}

void ConfirmationWatcher::watch(TxId tx, std::uint32_t depth, std::function<void(double)> done) {
  waits_.push_back(Wait{tx, depth, kNoBlock, std::move(done)});
}

void ConfirmationWatcher::on_head(BlockId head, double now_s) {
  // Callbacks may add waits: collect the ready ones first, in the order they were asked for.
  std::vector<std::function<void(double)>> ready;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < waits_.size(); ++i) {
    Wait& w = waits_[i];
    if (ledger_.depth(node_, w.tx, head, w.hint) >= w.depth) {
      ready.push_back(std::move(w.done));
    } else {
      if (kept != i) waits_[kept] = std::move(w);
      ++kept;
    }
  }
  waits_.resize(kept);
  for (auto& fn : ready) fn(now_s);
}

}  // namespace dltsim
