// The protocols shipped with dltsim: one registration function per protocol folder.

#include "sim/run/builtin_extensions.hpp"

namespace dltsim {

void register_nakamoto(ProtocolRegistry& registry);

void register_builtin_protocols(ProtocolRegistry& registry) {
  register_nakamoto(registry);
}

}  // namespace dltsim
