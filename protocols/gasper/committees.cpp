#include "protocols/gasper/committees.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/random/uniform_int_distribution.hpp>

namespace dltsim::gasper {

std::vector<std::uint32_t> split_validators(const std::vector<double>& shares, std::uint64_t validators) {
  const double total = std::accumulate(shares.begin(), shares.end(), 0.0);
  std::vector<std::uint32_t> out(shares.size(), 0);
  std::vector<std::pair<double, std::size_t>> remainders;
  std::uint64_t given = 0;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    const double exact = total > 0 ? shares[i] / total * static_cast<double>(validators) : 0.0;
    out[i] = static_cast<std::uint32_t>(std::floor(exact));
    given += out[i];
    remainders.emplace_back(exact - std::floor(exact), i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < validators && k < remainders.size(); ++k, ++given)
    ++out[remainders[k].second];
  return out;
}

Committees::Committees(std::vector<std::uint32_t> validators_per_node, std::uint32_t slots_per_epoch,
                       SeedTree seeds)
    : per_node_(std::move(validators_per_node)), slots_per_epoch_(slots_per_epoch), seeds_(seeds) {
  for (NodeId n = 0; n < per_node_.size(); ++n) owner_.insert(owner_.end(), per_node_[n], n);
}

const Committees::Epoch& Committees::epoch(std::uint64_t e) {
  if (auto it = epochs_.find(e); it != epochs_.end()) return it->second;
  // Keep the epochs around the one asked (attestations of the previous epoch are still checked).
  while (!epochs_.empty() && epochs_.begin()->first + 2 < e) epochs_.erase(epochs_.begin());
  Rng rng = seeds_.child("shuffle").child(e).rng();
  std::vector<NodeId> order = owner_;
  for (std::size_t i = order.size(); i > 1; --i) {
    boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(order[i - 1], order[pick(rng)]);
  }
  Epoch ep;
  ep.committees.resize(slots_per_epoch_);
  std::vector<std::uint32_t> count(per_node_.size(), 0);
  const std::size_t v = order.size();
  for (std::uint32_t s = 0; s < slots_per_epoch_; ++s) {
    // compute_committee's split: slot s takes positions [v s / S, v (s + 1) / S).
    const std::size_t begin = v * s / slots_per_epoch_, end = v * (s + 1) / slots_per_epoch_;
    std::vector<NodeId> touched;
    for (std::size_t i = begin; i < end; ++i) {
      if (count[order[i]]++ == 0) touched.push_back(order[i]);
    }
    std::sort(touched.begin(), touched.end());
    for (const NodeId n : touched) {
      ep.committees[s].push_back(Member{n, count[n]});
      count[n] = 0;
    }
  }
  Rng prng = seeds_.child("proposers").child(e).rng();
  boost::random::uniform_int_distribution<std::size_t> any(0, v - 1);
  for (std::uint32_t s = 0; s < slots_per_epoch_; ++s) ep.proposers.push_back(owner_[any(prng)]);
  return epochs_.emplace(e, std::move(ep)).first->second;
}

const std::vector<Member>& Committees::committee(std::uint64_t slot) {
  return epoch(slot / slots_per_epoch_).committees[slot % slots_per_epoch_];
}

std::uint32_t Committees::count_of(NodeId node, std::uint64_t slot) {
  const std::vector<Member>& c = committee(slot);
  const auto it =
      std::lower_bound(c.begin(), c.end(), node, [](const Member& m, NodeId n) { return m.node < n; });
  return it != c.end() && it->node == node ? it->count : 0;
}

NodeId Committees::proposer(std::uint64_t slot) {
  return epoch(slot / slots_per_epoch_).proposers[slot % slots_per_epoch_];
}

}  // namespace dltsim::gasper
