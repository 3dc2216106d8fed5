#include "attacks/eclipse/merchant_pool.hpp"

#include <utility>

namespace dltsim::attacks {

MerchantPool::MerchantPool(longest_chain::LongestChainConsensus& consensus, const AttackSpec& window,
                           std::uint32_t confirmations, std::function<void()> on_begin)
    : PrivateChainPool(consensus, window), confirmations_(confirmations), on_begin_(std::move(on_begin)) {}

void MerchantPool::on_begin() {
  begin_s_ = now_s();
  fork_ = private_head_;
  on_begin_();
}

void MerchantPool::after_pool_block() {
  const BlockTree& tree = consensus_.tree();
  if (private_head_ >= private_.size())
    private_.resize(std::max<std::size_t>(private_head_ + 1, private_.size() * 2));
  private_[private_head_] = true;
  ++mined_;
  const std::uint32_t depth = tree.get(private_head_).height - tree.get(fork_).height;
  if (depth == 1) payment_ = private_head_;
  announce(private_head_);  // the filter lets it reach the merchants only
  if (depth >= confirmations_) {
    confirming_ = private_head_;
    confirmed_s_ = now_s();
    // The merchants accepted: the branch is dropped (never published, even if it is longer) and the
    // members mine on the honest chain again, which the merchants now get; the payment is reverted.
    restart_from(public_head_);
    end_window();
  }
}

}  // namespace dltsim::attacks
