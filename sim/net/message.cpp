#include "sim/net/message.hpp"

#include <stdexcept>

namespace dltsim {

MessageType MessageTypes::add(const std::string& name) {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<MessageType>(i);
  }
  if (names_.size() >= 0xffff) throw std::logic_error("too many message types");
  names_.push_back(name);
  return static_cast<MessageType>(names_.size() - 1);
}

}  // namespace dltsim
