// The protocols shipped with dltsim: one registration function per protocol folder.

#include "sim/run/builtin_extensions.hpp"

namespace dltsim {

void register_nakamoto(ProtocolRegistry& registry);
void register_praos(ProtocolRegistry& registry);
void register_gasper(ProtocolRegistry& registry);
namespace pbft {
void register_pbft(ProtocolRegistry& registry);
}
namespace hotstuff {
void register_hotstuff(ProtocolRegistry& registry);
}
namespace tendermint {
void register_tendermint(ProtocolRegistry& registry);
}

void register_builtin_protocols(ProtocolRegistry& registry) {
  register_nakamoto(registry);
  register_praos(registry);
  register_gasper(registry);
  pbft::register_pbft(registry);
  hotstuff::register_hotstuff(registry);
  tendermint::register_tendermint(registry);
}

}  // namespace dltsim
