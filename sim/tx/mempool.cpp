#include "sim/tx/mempool.hpp"

#include <algorithm>
#include <cmath>

namespace dltsim {

namespace {

// Eviction order: the lower fee rate goes first; among equals, the later created.
struct EvictFirst {
  const TxTable& table;
  // std::*_heap keep the largest on top: "larger" is the one to evict first.
  bool operator()(TxId a, TxId b) const {
    const double fa = table.get(a).fee_rate_sat_vb, fb = table.get(b).fee_rate_sat_vb;
    return fa != fb ? fa > fb : a < b;
  }
};

}  // namespace

void Mempool::insert(const TxTable& table, TxId id) {
  ids_.push_back(id);
  ++count_;
  bytes_ += table.get(id).size_bytes;
  if (heap_built_) {
    heap_.push_back(id);
    std::push_heap(heap_.begin(), heap_.end(), EvictFirst{table});
  }
}

void Mempool::erase(const TxTable& table, TxId id, const Member& member) {
  --count_;
  bytes_ -= table.get(id).size_bytes;
  // Removed ids stay until they outnumber the members; then one pass drops them.
  if (ids_.size() > 2 * count_ + 64) compact(member);
}

void Mempool::compact(const Member& member) {
  ids_.erase(std::remove_if(ids_.begin(), ids_.end(), [&member](TxId id) { return !member(id); }),
             ids_.end());
  if (heap_built_ && heap_.size() > 2 * count_ + 64) heap_built_ = false;  // rebuilt at the next overflow
}

TxId Mempool::lowest(const TxTable& table, const Member& member) {
  if (count_ == 0) return kNoTx;
  const EvictFirst order{table};
  if (!heap_built_) {
    heap_.clear();
    for (const TxId id : ids_) {
      if (member(id)) heap_.push_back(id);
    }
    std::make_heap(heap_.begin(), heap_.end(), order);
    heap_built_ = true;
  }
  while (!heap_.empty() && !member(heap_.front())) {
    std::pop_heap(heap_.begin(), heap_.end(), order);
    heap_.pop_back();
  }
  return heap_.empty() ? kNoTx : heap_.front();
}

std::vector<TxId> Mempool::by_fee_rate(const TxTable& table, const Member& member) const {
  std::vector<TxId> v;
  v.reserve(count_);
  for (const TxId id : ids_) {
    if (member(id)) v.push_back(id);
  }
  std::sort(v.begin(), v.end(), [&table](TxId a, TxId b) {
    const double fa = table.get(a).fee_rate_sat_vb, fb = table.get(b).fee_rate_sat_vb;
    return fa != fb ? fa > fb : a < b;
  });
  // An id removed and added again (a reorg) may be listed twice until the next compaction.
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<TxId> Mempool::best(double capacity_bytes, const TxTable& table, const Member& member,
                                const std::function<bool(TxId)>& exclude) const {
  std::vector<TxId> picked;
  double used = 0;
  for (const TxId id : by_fee_rate(table, member)) {
    const double size = table.get(id).size_bytes;
    if (used + size > capacity_bytes || exclude(id)) continue;
    picked.push_back(id);
    used += size;
    // Nothing smaller than the smallest transaction fits any more.
    if (capacity_bytes - used < kMinTxBytes) break;
  }
  return picked;
}

std::vector<TxId> Mempool::created_before(const TxTable& table, const Member& member, double cutoff_s) const {
  std::vector<TxId> old;
  for (const TxId id : ids_) {
    if (member(id) && table.get(id).created_s <= cutoff_s) old.push_back(id);
  }
  std::sort(old.begin(), old.end());
  old.erase(std::unique(old.begin(), old.end()), old.end());
  return old;
}

double Mempool::rolling_min_fee_rate(double now_s, double relay_min_sat_vb) const {
  if (rolling_min_ <= 0) return 0;
  const double rate = rolling_min_ * std::exp2(-(now_s - rolling_at_s_) / kRollingFeeHalflife_s);
  return rate < relay_min_sat_vb / 2 ? 0 : rate;
}

void Mempool::on_evicted(double fee_rate_sat_vb, double increment_sat_vb, double now_s) {
  rolling_min_ = std::max(rolling_min_fee_rate(now_s, 0), fee_rate_sat_vb + increment_sat_vb);
  rolling_at_s_ = now_s;
}

}  // namespace dltsim
