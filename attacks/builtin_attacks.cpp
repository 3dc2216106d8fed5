// The attacks shipped with dltsim: one registration function per attack folder.

#include "sim/run/builtin_extensions.hpp"

namespace dltsim {

void register_selfish_mining(AttackRegistry& registry);
void register_double_spending(AttackRegistry& registry);
void register_majority(AttackRegistry& registry);
void register_private_chain(AttackRegistry& registry);
void register_partition(AttackRegistry& registry);
void register_dos(AttackRegistry& registry);
void register_delay(AttackRegistry& registry);
void register_restart(AttackRegistry& registry);
void register_eclipse(AttackRegistry& registry);
void register_sybil(AttackRegistry& registry);
void register_censorship(AttackRegistry& registry);
void register_mempool_flooding(AttackRegistry& registry);
void register_zero_conf_double_spend(AttackRegistry& registry);
void register_tx_withholding(AttackRegistry& registry);
void register_spies(AttackRegistry& registry);
void register_supernode(AttackRegistry& registry);
void register_on_path_observer(AttackRegistry& registry);
void register_ex_ante_reorg(AttackRegistry& registry);
namespace byzantine {
void register_crash(AttackRegistry& registry);
void register_silent_leader(AttackRegistry& registry);
void register_vote_withholding(AttackRegistry& registry);
void register_equivocation(AttackRegistry& registry);
void register_leader_delay(AttackRegistry& registry);
}  // namespace byzantine

void register_builtin_attacks(AttackRegistry& registry) {
  register_selfish_mining(registry);
  register_double_spending(registry);
  register_majority(registry);
  register_private_chain(registry);
  register_partition(registry);
  register_dos(registry);
  register_delay(registry);
  register_restart(registry);
  register_eclipse(registry);
  register_sybil(registry);
  register_censorship(registry);
  register_mempool_flooding(registry);
  register_zero_conf_double_spend(registry);
  register_tx_withholding(registry);
  register_spies(registry);
  register_supernode(registry);
  register_on_path_observer(registry);
  register_ex_ante_reorg(registry);
  byzantine::register_crash(registry);
  byzantine::register_silent_leader(registry);
  byzantine::register_vote_withholding(registry);
  byzantine::register_equivocation(registry);
  byzantine::register_leader_delay(registry);
}

}  // namespace dltsim
