#pragma once
// What travels between nodes: a typed message with a size in bytes and an immutable payload that
// the sending protocol defines. One payload object may be shared by many messages (a broadcast).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/ids.hpp"

namespace dltsim {

/// Longest message type name in bytes (a fixed-width column of the result file).
constexpr std::size_t kMaxMessageTypeBytes = 31;

/// Base of protocol-defined message contents.
struct Payload {
  virtual ~Payload() = default;
};

/// Shared, immutable payload.
using PayloadPtr = std::shared_ptr<const Payload>;

/// One message on the wire.
struct Message {
  NodeId from = kNoNode;         ///< sender
  NodeId to = kNoNode;           ///< receiver
  MessageType type = 0;          ///< registered type
  std::uint32_t size_bytes = 0;  ///< size on the wire
  PayloadPtr payload;            ///< contents, may be null

  /// The payload as the protocol's type (the protocol knows it from `type`).
  template <class T>
  const T& as() const {
    return static_cast<const T&>(*payload);
  }
};

/// Names of the message types registered by the run's protocol and attacks.
class MessageTypes {
 public:
  /// Registers a type name (or returns the existing one) and returns its id.
  MessageType add(const std::string& name);
  /// Name of a type.
  const std::string& name(MessageType type) const { return names_.at(type); }
  /// Number of registered types.
  std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
};

}  // namespace dltsim
