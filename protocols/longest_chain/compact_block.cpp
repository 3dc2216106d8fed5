#include "protocols/longest_chain/compact_block.hpp"

#include <algorithm>
#include <cmath>

namespace dltsim::longest_chain {

std::uint32_t compact_size_bytes(std::uint64_t n) {
  if (n < 253) return 1;
  if (n <= 0xffff) return 3;
  if (n <= 0xffffffffULL) return 5;
  return 9;
}

CompactBlock compact_block(double block_size_bytes, double transaction_bytes, double missing_fraction) {
  CompactBlock c;
  // Block = header + CompactSize(count) + coinbase + the other transactions.
  const double room = block_size_bytes - kBlockHeaderBytes - kCoinbaseBytes;
  std::uint64_t others = 0;
  if (room > 1 && transaction_bytes > 0) {
    others = static_cast<std::uint64_t>(std::floor((room - 1) / transaction_bytes));
    // The count's own encoding takes up to 9 bytes: recount once with its real width.
    others = static_cast<std::uint64_t>(
        std::max(0.0, std::floor((room - compact_size_bytes(others + 1)) / transaction_bytes)));
  }
  c.transactions = others + 1;
  const auto sum = [](std::uint64_t v) {
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(v, 0xffffffffULL));
  };
  c.cmpctblock_bytes =
      sum(kMessageHeaderBytes + kBlockHeaderBytes + kShortIdNonceBytes + compact_size_bytes(others) +
          kShortIdBytes * others + compact_size_bytes(1) + compact_size_bytes(0) + kCoinbaseBytes);
  c.missing = others == 0 ? 0
                          : std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(
                                                           missing_fraction * static_cast<double>(others))));
  c.getblocktxn_bytes =
      sum(kMessageHeaderBytes + kBlockHashBytes + compact_size_bytes(c.missing) + c.missing);
  c.blocktxn_bytes =
      sum(kMessageHeaderBytes + kBlockHashBytes + compact_size_bytes(c.missing) +
          static_cast<std::uint64_t>(std::ceil(static_cast<double>(c.missing) * transaction_bytes)));
  return c;
}

}  // namespace dltsim::longest_chain
