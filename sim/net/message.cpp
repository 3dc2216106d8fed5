#include "sim/net/message.hpp"

#include <stdexcept>

namespace dltsim {

MessageType MessageTypes::add(const std::string& name) {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<MessageType>(i);
  }
  if (names_.size() >= 0xffff) throw std::logic_error("too many message types");
  // Stored in a fixed-width column of the result file: a longer name would be cut.
  if (name.size() > kMaxMessageTypeBytes) throw std::logic_error("message type name too long: " + name);
  names_.push_back(name);
  return static_cast<MessageType>(names_.size() - 1);
}

}  // namespace dltsim
