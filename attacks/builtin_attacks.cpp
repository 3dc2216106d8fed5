// The attacks shipped with dltsim: one registration function per attack folder.

#include "sim/run/builtin_extensions.hpp"

namespace dltsim {

void register_builtin_attacks(AttackRegistry& /*registry*/) {}

}  // namespace dltsim
