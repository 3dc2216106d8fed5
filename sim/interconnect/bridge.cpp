#include "sim/interconnect/bridge.hpp"

#include <algorithm>

namespace dltsim {

void LedgerLinks::hand_off(std::size_t from, std::size_t to, double delay_s, std::function<void()> fn) const {
  const double at_s = ledgers_.at(from).runtime->now_s() + std::max(delay_s, min_hand_off_s_);
  ledgers_.at(to).runtime->call_at(at_s, std::move(fn));
}

}  // namespace dltsim
