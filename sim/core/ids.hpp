#pragma once
// Identifier types shared across the engine.

#include <cstdint>
#include <limits>

namespace dltsim {

/// Index of a ledger node, 0..n-1.
using NodeId = std::uint32_t;
/// Marks "no node".
inline constexpr NodeId kNoNode = std::numeric_limits<NodeId>::max();
/// Index of a block in the run's block tree; 0 is genesis.
using BlockId = std::uint32_t;
/// Marks "no block".
inline constexpr BlockId kNoBlock = std::numeric_limits<BlockId>::max();
/// Small integer naming a message type; names are registered per run.
using MessageType = std::uint16_t;
/// Handle of a pending timer.
using TimerId = std::uint64_t;
/// The id of a timer that never fires (set at infinity); no queued timer has it (ids start at 1).
constexpr TimerId kNeverTimer = 0;

}  // namespace dltsim
