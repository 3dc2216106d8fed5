#pragma once
// Hook for attacks on the network: a filter sees every message when it is sent and may drop it,
// delay it or redirect it (partition, eclipse, targeted DoS).

#include "sim/net/message.hpp"

namespace dltsim {

/// What a filter decided about a message.
struct FilterVerdict {
  bool drop = false;         ///< the message is lost
  double extra_delay_s = 0;  ///< added to its delivery time
};

/// Sees every message at send time. To redirect, change msg.to.
class MessageFilter {
 public:
  virtual ~MessageFilter() = default;
  /// Decides on one message sent at now_s.
  virtual FilterVerdict on_send(Message& msg, double now_s) = 0;
};

}  // namespace dltsim
