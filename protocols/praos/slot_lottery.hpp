#pragma once
// Praos's private leader lottery (David, Gazi, Kiayias and Russell, EUROCRYPT 2018): time runs in
// slots of slot_length; in each slot a stakeholder with relative stake alpha is leader with
// probability phi_f(alpha) = 1 - (1 - f)^alpha, independently of every other stakeholder and slot
// (a seeded draw standing for the VRF), so a slot can have several leaders or none; f, the active
// slot coefficient, is the probability that a slot has at least one leader when all stake takes
// part (phi's independent aggregation). A node draws the number of slots to its next leadership
// from a geometric law instead of one draw per slot. A block must come after its parent's slot: a
// leader whose tip is already in the current slot builds on the tip's parent (ouroboros-consensus's
// mkCurrentBlockContext).

#include <cstdint>
#include <limits>
#include <vector>

#include "protocols/longest_chain/block_production.hpp"

namespace dltsim::praos {

/// phi_f(alpha) = 1 - (1 - f)^alpha.
double leader_probability(double f, double alpha);

/// Leaders of one slot (slots with none are not stored).
struct SlotLeaders {
  std::uint64_t slot;     ///< slot number (slot s starts at s x slot_length; slot 0 is genesis)
  std::uint32_t leaders;  ///< nodes whose chance came in it
};

/// The slot lottery, and a count of the leaders of every slot.
class SlotLottery final : public longest_chain::BlockProduction {
 public:
  /// Slots of slot_s seconds, active slot coefficient f in (0, 1].
  SlotLottery(double slot_s, double f) : slot_s_(slot_s), f_(f) {}
  double next_wait_s(Rng& rng, double power_share, double now_s) const override;
  void on_chance(NodeId node, double now_s) override;
  void on_stopped(double now_s) override;
  BlockId parent_for(const BlockTree& tree, BlockId tip, double now_s) const override;
  /// phi_f(share) / slot length: a pool leads a slot with phi_f of its stake.
  double production_rate_per_s(double share) const override;
  /// phi_f(share) / (phi_f(share) + phi_f(1 - share)): the share of leader slots.
  double block_share(double share) const override;
  /// p / (1 + (Delta - 1) p) per slot, p = phi_f(share), Delta = floor(delay / slot) + 1: after a
  /// slot that grows the chain, leaders of the next Delta - 1 slots do not see its block yet.
  double chain_growth_per_s(double share, double delay_s) const override;

  /// The slot that starts at or contains time_s.
  std::uint64_t slot_at(double time_s) const;
  /// Slot length, seconds.
  double slot_s() const { return slot_s_; }
  /// Active slot coefficient.
  double f() const { return f_; }
  /// Slots with at least one leader, in order.
  const std::vector<SlotLeaders>& leaders() const { return leaders_; }
  /// When production stopped (infinity if it did not).
  double stopped_s() const { return stopped_s_; }

 private:
  double slot_s_;
  double f_;
  std::vector<SlotLeaders> leaders_;
  double stopped_s_ = std::numeric_limits<double>::infinity();
};

}  // namespace dltsim::praos
