#include "protocols/praos/slot_lottery.hpp"

#include <algorithm>
#include <cmath>

#include <boost/random/uniform_01.hpp>

namespace dltsim::praos {

double leader_probability(double f, double alpha) {
  return -std::expm1(alpha * std::log1p(-f));  // 1 - (1 - f)^alpha, accurate for small f alpha
}

std::uint64_t SlotLottery::slot_at(double time_s) const {
  // Chances fire at slot starts; the margin keeps a start computed a rounding error early in its slot.
  return static_cast<std::uint64_t>(std::floor(time_s / slot_s_ + 1e-9));
}

double SlotLottery::next_wait_s(Rng& rng, double power_share, double now_s) const {
  const double p = leader_probability(f_, power_share);
  // Slots lost before the next win: geometric, P(k) = p (1 - p)^k, by inversion.
  std::uint64_t lost = 0;
  if (p < 1) {
    const double u = 1 - boost::random::uniform_01<double>()(rng);  // in (0, 1]
    lost = static_cast<std::uint64_t>(std::min(std::floor(std::log(u) / std::log1p(-p)), 9e15));
  }
  const std::uint64_t next = slot_at(now_s) + 1 + lost;
  return static_cast<double>(next) * slot_s_ - now_s;
}

void SlotLottery::on_chance(NodeId /*node*/, double now_s) {
  const std::uint64_t slot = slot_at(now_s);
  if (leaders_.empty() || leaders_.back().slot != slot) {
    leaders_.push_back(SlotLeaders{slot, 1});
  } else {
    ++leaders_.back().leaders;
  }
}

void SlotLottery::on_stopped(double now_s) {
  stopped_s_ = std::min(stopped_s_, now_s);
}

BlockId SlotLottery::parent_for(const BlockTree& tree, BlockId tip, double now_s) const {
  if (tip == 0 || slot_at(tree.get(tip).time_s) < slot_at(now_s)) return tip;
  return tree.get(tip).parent;
}

double SlotLottery::production_rate_per_s(double share) const {
  return leader_probability(f_, share) / slot_s_;
}

double SlotLottery::block_share(double share) const {
  const double mine = leader_probability(f_, share);
  return mine / (mine + leader_probability(f_, 1 - share));
}

double SlotLottery::chain_growth_per_s(double share, double delay_s) const {
  const double p = leader_probability(f_, share);
  const double delta = std::floor(delay_s / slot_s_) + 1;
  return p / (1 + (delta - 1) * p) / slot_s_;
}

}  // namespace dltsim::praos
