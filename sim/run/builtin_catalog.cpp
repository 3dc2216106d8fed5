#include "sim/run/builtin_extensions.hpp"

namespace dltsim {

const Catalog& builtin_catalog() {
  static const Catalog catalog = [] {
    Catalog c;
    register_builtin_protocols(c.protocols);
    register_builtin_attacks(c.attacks);
    register_builtin_presets(c.presets);
    register_builtin_theories(c.theories);
    register_builtin_bridges(c.bridges);
    return c;
  }();
  return catalog;
}

}  // namespace dltsim
