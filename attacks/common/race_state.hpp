#pragma once
// The state of a private chain racing the public chain (Sapirshtein, Sompolinsky and Zohar 2016).

#include <cstdint>

namespace dltsim::attacks {

/// Which block the race was last changed by (the MDP's fork label).
enum class Fork : std::uint8_t {
  irrelevant,  ///< the pool found the last block
  relevant,    ///< the honest network found the last block: a match could split it
  active,      ///< the pool matched: the honest network is split between two heads
};

/// The race state.
struct RaceState {
  std::uint32_t a = 0;           ///< private blocks since the fork point
  std::uint32_t h = 0;           ///< public blocks since the fork point
  Fork fork = Fork::irrelevant;  ///< label
};

}  // namespace dltsim::attacks
