// The attacks shipped with dltsim: one registration function per attack folder.

#include "sim/run/builtin_extensions.hpp"

namespace dltsim {

void register_selfish_mining(AttackRegistry& registry);
void register_double_spending(AttackRegistry& registry);
void register_majority(AttackRegistry& registry);
void register_private_chain(AttackRegistry& registry);

void register_builtin_attacks(AttackRegistry& registry) {
  register_selfish_mining(registry);
  register_double_spending(registry);
  register_majority(registry);
  register_private_chain(registry);
}

}  // namespace dltsim
