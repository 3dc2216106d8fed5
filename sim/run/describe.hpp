#pragma once
// What `dltsim describe NAME` prints, as text (the command line and the Python package share it).

#include <string>

#include "sim/run/builtin_extensions.hpp"

namespace dltsim {

/// A protocol's or attack's summary, parameters (name, type, unit, default, allowed, doc), tables
/// (and an attack's protocols), or a preset's figures with their sources. Throws Error naming what
/// exists when nothing has that name.
std::string describe_text(const Catalog& catalog, const std::string& name);

}  // namespace dltsim
