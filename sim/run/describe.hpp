#pragma once
// What `dltsim describe NAME` prints, as text (the command line and the Python package share it).

#include <string>

#include "sim/run/builtin_extensions.hpp"

namespace dltsim {

/// A protocol's or attack's summary, parameters (name, type, unit, default, allowed, doc), tables
/// (and an attack's protocols), a preset's figures with their sources, or a scenario section's
/// keys ("sections" lists them). Throws Error naming what
/// exists when nothing has that name.
std::string describe_text(const Catalog& catalog, const std::string& name);

/// The scenario schema as a Markdown page: a table per section (docs/scenario-schema.md).
std::string scenario_schema_markdown();

}  // namespace dltsim
