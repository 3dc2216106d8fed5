// libFuzzer target: the scenario loader and the --set parser, on arbitrary bytes. An input is a
// scenario document, optionally preceded by override lines "@set key.path=value". Every input
// must either load or be rejected (a document with `ledgers` goes to the multi-ledger loader) with a
// ScenarioError (or Error); anything else (a crash, a sanitizer report, another exception, a hang) is a bug.
// Small networks that load are also built, as `dltsim validate` builds them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/run/builtin_extensions.hpp"
#include "sim/run/run_plan.hpp"
#include "sim/scenario/multi_ledger.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace {

// Larger networks load fine but take the fuzzer's time; the loader's checks do not depend on size.
constexpr std::uint32_t kMaxBuiltNodes = 2000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  dltsim::ScenarioInput in{"fuzz.yaml", "", {}};
  std::size_t pos = 0;
  const std::string prefix = "@set ";
  while (input.compare(pos, prefix.size(), prefix) == 0) {
    const std::size_t end = input.find('\n', pos);
    const std::size_t stop = end == std::string::npos ? input.size() : end;
    in.overrides.push_back(input.substr(pos + prefix.size(), stop - pos - prefix.size()));
    pos = end == std::string::npos ? input.size() : end + 1;
  }
  in.text = input.substr(pos);
  try {
    if (dltsim::declares_ledgers(in)) {
      // Several ledgers (inline ones, or files the fuzzer cannot name) and bridges between them.
      const dltsim::MultiLedgerScenario ms = dltsim::load_multi_ledger(in, dltsim::builtin_catalog());
      for (const dltsim::LedgerSpec& l : ms.ledgers) {
        if (l.scenario.network.nodes <= kMaxBuiltNodes)
          dltsim::make_run_plan(l.scenario, dltsim::builtin_catalog(), dltsim::SeedTree(l.scenario.seed));
      }
      return 0;
    }
    const dltsim::Scenario sc = dltsim::load_scenario(in, dltsim::builtin_catalog());
    if (sc.network.nodes <= kMaxBuiltNodes) {
      dltsim::make_run_plan(sc, dltsim::builtin_catalog(), dltsim::SeedTree(sc.seed));
    }
  } catch (const dltsim::Error&) {
    // Rejected with a message: what the loader is for.
  }
  return 0;
}
