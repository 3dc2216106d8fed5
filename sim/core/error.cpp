#include "sim/core/error.hpp"

#include <fmt/format.h>

namespace dltsim {

std::string SourceLocation::str() const {
  if (line <= 0) return source;
  return source + ":" + std::to_string(line) + ":" + std::to_string(column);
}

static std::string format_scenario_error(const SourceLocation& where, const std::string& key_path,
                                         const std::string& detail) {
  std::string text = where.str();
  if (!key_path.empty()) text += (text.empty() ? "" : ": ") + key_path;
  return text + ": " + detail;
}

ScenarioError::ScenarioError(SourceLocation where, std::string key_path, std::string detail)
    : Error(format_scenario_error(where, key_path, detail)),
      where_(std::move(where)),
      key_path_(std::move(key_path)),
      detail_(std::move(detail)) {}

std::string short_text(std::string_view value, std::size_t max_chars) {
  std::size_t cut = value.size();
  if (cut > max_chars) {
    cut = max_chars;
    // Back up to the start of a UTF-8 character (continuation bytes are 10xxxxxx).
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  }
  std::string out;
  for (std::size_t i = 0; i < cut; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (cut < value.size()) out += "...";
  return out;
}

std::string quote_value(std::string_view value, std::size_t max_chars) {
  std::string out = "'" + short_text(value, max_chars) + "'";
  if (value.size() > max_chars) out += fmt::format(" ({} bytes)", value.size());
  return out;
}

}  // namespace dltsim
