#pragma once
// The double spend against eclipsed merchants (Heilman et al. 2015, section 1.1): once the victims
// are eclipsed, the attacker's nodes mine a private branch from the public head whose first block
// pays the merchants, and feed it to them alone (the eclipse attack's filter keeps it from everyone
// else and keeps the honest chain from the merchants), while the honest network confirms the
// conflicting transaction. When the branch holds `confirmations` blocks the merchants have accepted
// the payment; the attacker stops, the merchants get the honest chain again and the payment is gone.

#include <cmath>
#include <functional>
#include <vector>

#include "attacks/common/private_chain_pool.hpp"

namespace dltsim::attacks {

/// The attacker's nodes as a pool mining the branch it feeds to eclipsed merchants.
class MerchantPool final : public PrivateChainPool {
 public:
  /// Active in spec's window; on_begin runs when it opens (the merchants are chosen then).
  MerchantPool(longest_chain::LongestChainConsensus& consensus, const AttackSpec& window,
               std::uint32_t confirmations, std::function<void()> on_begin);
  /// True for a block of the private branch.
  bool is_private(BlockId block) const { return block < private_.size() && private_[block]; }
  /// When the branch started (NaN before).
  double begin_s() const { return begin_s_; }
  /// When its last needed block was mined (NaN if not yet).
  double confirmed_s() const { return confirmed_s_; }
  /// The branch's first block (the payment), 0 before.
  BlockId payment_block() const { return payment_; }
  /// The block that gives the payment its last confirmation, 0 before.
  BlockId confirming_block() const { return confirming_; }
  /// Blocks the pool mined on the branch.
  std::uint32_t private_blocks() const { return mined_; }

 private:
  void on_begin() override;
  void after_pool_block() override;
  void after_public_block(BlockId, bool) override {}

  std::uint32_t confirmations_;
  std::function<void()> on_begin_;
  std::vector<bool> private_;
  BlockId fork_ = 0;
  BlockId payment_ = 0;
  BlockId confirming_ = 0;
  std::uint32_t mined_ = 0;
  double begin_s_ = std::nan("");
  double confirmed_s_ = std::nan("");
};

}  // namespace dltsim::attacks
