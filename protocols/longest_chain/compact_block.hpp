#pragma once
// BIP 152 (compact block relay) message sizes, derived from the block: how many transactions it
// holds (from an average transaction size), 6-byte short ids for all but the coinbase, which is
// prefilled, and the round trip after a failed reconstruction (getblocktxn with the missing
// indexes, blocktxn with those transactions). Every size includes the 24-byte P2P message header.

#include <cstdint>

namespace dltsim::longest_chain {

/// Bitcoin P2P message header: magic, command, length, checksum.
inline constexpr std::uint32_t kMessageHeaderBytes = 24;
/// Block header.
inline constexpr std::uint32_t kBlockHeaderBytes = 80;
/// Coinbase transaction, prefilled in every compact block (a typical size: the transaction with
/// one input, an output or two and the witness commitment).
inline constexpr std::uint32_t kCoinbaseBytes = 250;
/// BIP 152 short transaction id.
inline constexpr std::uint32_t kShortIdBytes = 6;
/// BIP 152 nonce for the short-id hash.
inline constexpr std::uint32_t kShortIdNonceBytes = 8;
/// A block hash.
inline constexpr std::uint32_t kBlockHashBytes = 32;
/// A sendcmpct message: header, 1-byte announce flag, 8-byte version.
inline constexpr std::uint32_t kSendCmpctBytes = kMessageHeaderBytes + 9;

/// Bytes of Bitcoin's CompactSize encoding of n (1, 3, 5 or 9).
std::uint32_t compact_size_bytes(std::uint64_t n);

/// The BIP 152 messages of one block.
struct CompactBlock {
  std::uint64_t transactions = 0;       ///< transactions in the block, coinbase included
  std::uint32_t cmpctblock_bytes = 0;   ///< HeaderAndShortIDs, coinbase prefilled
  std::uint64_t missing = 0;            ///< transactions a failed reconstruction fetches
  std::uint32_t getblocktxn_bytes = 0;  ///< BlockTransactionsRequest for them (1-byte index gaps)
  std::uint32_t blocktxn_bytes = 0;     ///< BlockTransactions carrying them
};

/// Sizes for a block of block_size_bytes filled with transactions of transaction_bytes on average;
/// missing_fraction of the non-coinbase transactions are fetched after a failed reconstruction
/// (at least one when there is any).
CompactBlock compact_block(double block_size_bytes, double transaction_bytes, double missing_fraction);

}  // namespace dltsim::longest_chain
