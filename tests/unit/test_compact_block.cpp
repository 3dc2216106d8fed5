// BIP 152 message sizes against the specification's encodings, worked by hand.

#include <catch2/catch.hpp>

#include "protocols/longest_chain/compact_block.hpp"

using namespace dltsim::longest_chain;

TEST_CASE("CompactSize takes 1, 3, 5 or 9 bytes") {
  CHECK(compact_size_bytes(0) == 1);
  CHECK(compact_size_bytes(252) == 1);
  CHECK(compact_size_bytes(253) == 3);
  CHECK(compact_size_bytes(0xffff) == 3);
  CHECK(compact_size_bytes(0x10000) == 5);
  CHECK(compact_size_bytes(0x100000000ULL) == 9);
}

TEST_CASE("a compact block carries a short id per transaction but the coinbase") {
  // 535,000 B of 182-byte transactions (the bitcoin-2019 calibration): 535,000 - 80 - 250 - 3 =
  // 534,667 = 2,937 x 182 + 133, so 2,937 short ids and an 17,989-byte compact block, SimBlock's
  // 18 KB.
  const CompactBlock c = compact_block(535000, 182, 0.1);
  CHECK(c.transactions == 2938);
  CHECK(c.cmpctblock_bytes == 24 + 80 + 8 + 3 + 2937 * 6 + 1 + 1 + 250);
  CHECK(c.cmpctblock_bytes == 17989);
  CHECK(c.missing == 294);  // ceil(293.7)
  CHECK(c.getblocktxn_bytes == 24 + 32 + 3 + 294);
  CHECK(c.blocktxn_bytes == 24 + 32 + 3 + 294 * 182);
  // Twice the block, twice the ids (1,070,000 - 333 = 5,877 x 182 + 53): it scales with the block.
  CHECK(compact_block(1070000, 182, 0.1).cmpctblock_bytes == 24 + 80 + 8 + 3 + 5877 * 6 + 1 + 1 + 250);
}

TEST_CASE("a block holding only its coinbase has nothing to miss") {
  const CompactBlock c = compact_block(300, 182, 0.5);
  CHECK(c.transactions == 1);
  CHECK(c.missing == 0);
  CHECK(c.cmpctblock_bytes == 24 + 80 + 8 + 1 + 0 + 1 + 1 + 250);
}
