// The dltsim command line: run, validate, list, describe.

#include <dlfcn.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <xbt/base.h>  // before simgrid/version.h, which needs its macros
#include <CLI/CLI.hpp>

#include <simgrid/version.h>
#include <simgrid/s4u/Engine.hpp>

#include "dltsim/version.hpp"
#include "sim/core/units.hpp"
#include "sim/metrics/output_path.hpp"
#include "sim/metrics/result_file.hpp"
#include "sim/run/builtin_extensions.hpp"
#include "sim/run/describe.hpp"
#include "sim/run/huge_pages.hpp"
#include "sim/run/interrupt.hpp"
#include "sim/run/progress.hpp"
#include "sim/run/python_command.hpp"
#include "sim/run/run_plan.hpp"
#include "sim/run/simulation.hpp"
#include "sim/scenario/resolved_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace {

using namespace dltsim;

// Exit codes: documented in README.md.
constexpr int kExitOk = 0;
constexpr int kExitRunError = 1;
constexpr int kExitInputError = 2;
constexpr int kExitInterrupted = 130;

ScenarioInput input_from(const std::string& path, const std::vector<std::string>& sets) {
  ScenarioInput in = read_scenario_file(path);
  in.overrides = sets;
  return in;
}

std::string value_text(const SummaryValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{:.6g}", *d);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&v)) return std::to_string(*u);
  return std::get<std::string>(v);
}

// The summary as JSON on stdout (--json): values (NaN as null), units and the notes of undefined values.
void print_json(const std::string& source_name, std::uint64_t seed, const RunResult& r, double wall_s) {
  const auto quote = [](const std::string& text) {
    std::string out = "\"";
    for (const char ch : text) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += ch;
      } else if (c < 0x20) {
        out += fmt::format("\\u{:04x}", c);
      } else {
        out += ch;
      }
    }
    return out + "\"";
  };
  const auto value_json = [&](const SummaryValue& v) -> std::string {
    if (const auto* d = std::get_if<double>(&v))
      return std::isfinite(*d) ? fmt::format("{:.17g}", *d) : "null";
    if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (const auto* u = std::get_if<std::uint64_t>(&v)) return std::to_string(*u);
    return quote(std::get<std::string>(v));
  };
  std::string values, units, notes, supports;
  for (const SummaryEntry& e : r.summary.entries()) {
    values += fmt::format("{}\n    {}: {}", values.empty() ? "" : ",", quote(e.name), value_json(e.value));
    if (e.support != Support::real)
      supports += fmt::format("{}\n    {}: {}", supports.empty() ? "" : ",", quote(e.name),
                              quote(support_name(e.support)));
    if (!e.unit.empty())
      units += fmt::format("{}\n    {}: {}", units.empty() ? "" : ",", quote(e.name), quote(e.unit));
    if (!e.note.empty())
      notes += fmt::format("{}\n    {}: {}", notes.empty() ? "" : ",", quote(e.name), quote(e.note));
  }
  std::printf(
      "{\n  \"dltsim_version\": %s,\n  \"scenario\": %s,\n  \"seed\": %s,\n  \"end_reason\": %s,\n"
      "  \"complete\": %s,\n  \"output\": %s,\n  \"wall_s\": %.3f,\n  \"summary\": {%s\n  },\n"
      "  \"units\": {%s\n  },\n  \"notes\": {%s\n  },\n  \"supports\": {%s\n  }\n}\n",
      quote(kVersion).c_str(), quote(source_name).c_str(), std::to_string(seed).c_str(),
      quote(end_reason_name(r.stats.reason)).c_str(), r.complete ? "true" : "false",
      quote(r.output_path).c_str(), wall_s, values.c_str(), units.c_str(), notes.c_str(), supports.c_str());
}

// headline: what ran ("scenario.yaml, 100 nodes, protocol nakamoto, seed 1").
void print_summary(const std::string& headline, const RunResult& r, double wall_s) {
  const Summary& s = r.summary;
  std::printf("dltsim %s: %s\n", kVersion, headline.c_str());
  std::printf("  ended: %s at %s simulated, %s wall, %s events (%.0f events/s)\n",
              end_reason_name(r.stats.reason), format_duration(r.stats.end_time_s).c_str(),
              format_duration(wall_s).c_str(), std::to_string(r.stats.events).c_str(),
              wall_s > 0 ? static_cast<double>(r.stats.events) / wall_s : 0.0);
  for (const SummaryEntry& e : s.entries()) {
    std::string line = value_text(e.value);
    if (!e.unit.empty()) line += " " + e.unit;
    if (!e.note.empty()) line += " (" + e.note + ")";
    std::printf("  %-30s %s\n", e.name.c_str(), line.c_str());
  }
  if (!r.output_path.empty()) {
    std::printf("  output: %s%s\n", r.output_path.c_str(), r.complete ? "" : " (incomplete: interrupted)");
  }
}

// Which libsimgrid this process loaded: the system one or the rebuilt one (scripts/build-simgrid.sh).
std::string loaded_simgrid_library() {
  Dl_info info{};
  const bool found = dladdr(reinterpret_cast<void*>(&simgrid::s4u::Engine::get_clock), &info) != 0;
  return found && info.dli_fname != nullptr ? info.dli_fname : "unknown library";
}

// Nodes from which Debian's SimGrid 3.32 costs a run much more than the rebuilt library
// (docs/performance.md, "Scaling": 10,000 nodes x 100 blocks 39 s against 28-37 s of CPU, 50,000 x 20
// 132 s against 43 s).
constexpr std::uint32_t kSlowSimgridNodes = 20000;

// Says once, on stderr, that a run this large with SimGrid flows would be faster with the rebuilt
// library, when the system one is loaded.
void hint_fast_simgrid(const Scenario& sc) {
  if (SIMGRID_VERSION_MAJOR != 3 || SIMGRID_VERSION_MINOR >= 34) return;  // upstream fixed it in 3.34
  if (sc.network.nodes < kSlowSimgridNodes || sc.network.idealised ||
      sc.network.contention == Contention::none)
    return;
  const std::string lib = loaded_simgrid_library();
  if (lib.rfind("/lib/", 0) != 0 && lib.rfind("/usr/lib/", 0) != 0) return;  // not the system library
  std::fprintf(stderr,
               "dltsim: note: %u nodes with SimGrid flows on the system SimGrid 3.32 (%s), whose comm list "
               "costs a scan per transfer; `bash scripts/build-simgrid.sh && bash scripts/build.sh` (once, "
               "about 10 minutes) rebuilds it as SimGrid 3.34 has it: about 3x faster at 50,000 nodes, 6x "
               "at 100,000, same results (docs/performance.md, Scaling)\n",
               sc.network.nodes, lib.c_str());
}

// Settings that have no effect, on stderr.
void print_warnings(const Scenario& sc) {
  for (const ScenarioWarning& w : sc.warnings)
    std::fprintf(stderr, "dltsim: warning: %s\n", w.message().c_str());
}

// The scenario with the output path of the command line (-o, else output.path, else
// <scenario stem>.h5), after checking that a result can go there: before anything runs.
// An -o given empty is an error like an empty output.path, not a silent fall-back to the scenario's.
Scenario load_for_output(const std::string& path, const std::vector<std::string>& sets,
                         const std::optional<std::string>& out) {
  Scenario sc = load_scenario(input_from(path, sets), builtin_catalog());
  if (out) sc.output.path = *out;
  const std::string problem = output_path_problem(sc.output.path, path);
  if (problem.empty()) return sc;
  if (out) throw Error("-o " + quote_value(*out) + ": " + problem);
  if (sc.output.path_given) throw sc.error_at("output.path", problem);
  throw Error(fmt::format("the default output path {} (from the scenario's name): {}; give -o",
                          quote_value(sc.output.path), problem));
}

// A multi-ledger scenario with the output path of the command line, checked before anything runs.
MultiLedgerScenario load_ledgers_for_output(const ScenarioInput& input,
                                            const std::optional<std::string>& out) {
  MultiLedgerScenario ms = load_multi_ledger(input, builtin_catalog());
  if (out) ms.output.path = *out;
  const std::string problem = output_path_problem(ms.output.path, input.name);
  if (problem.empty()) return ms;
  if (out) throw Error("-o " + quote_value(*out) + ": " + problem);
  throw Error(fmt::format("the output path {}: {}; give -o", quote_value(ms.output.path), problem));
}

// `run` of a scenario with several ledgers (docs/interconnect.md).
int run_ledgers(const ScenarioInput& input, const std::optional<std::string>& out, ProgressMode progress_mode,
                double progress_interval_s, bool quiet, bool json) {
  const MultiLedgerScenario ms = load_ledgers_for_output(input, out);
  std::string headline = fmt::format("{}, seed {}, {} ledgers:", ms.source_name, ms.seed, ms.ledgers.size());
  for (const LedgerSpec& l : ms.ledgers) {
    if (!quiet) print_warnings(l.scenario);
    headline +=
        fmt::format(" {} ({} nodes, {})", l.name, l.scenario.network.nodes, l.scenario.consensus.protocol);
  }
  ProgressLine progress(ms.stop, progress_mode, progress_interval_s);
  RunOptions options;
  options.progress = [&](const RunProgress& p) { progress.update(p); };
  options.interrupt = &interrupt_flag();
  options.handle_signals = true;
  const auto start = std::chrono::steady_clock::now();
  const RunResult result = run_multi_ledger(ms, builtin_catalog(), options);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish();
  if (json) {
    print_json(ms.source_name, ms.seed, result, wall_s);
  } else if (!quiet) {
    print_summary(headline, result, wall_s);
  }
  if (!result.complete) {
    std::fprintf(stderr, "dltsim: interrupted; what was recorded is in %s\n", result.output_path.c_str());
    return kExitInterrupted;
  }
  return kExitOk;
}

int cmd_run(const std::string& path, const std::vector<std::string>& sets,
            const std::optional<std::string>& out, const std::string& seed, ProgressMode progress_mode,
            double progress_interval_s, bool quiet, bool json) {
  // Until the result file exists, Ctrl-C or SIGTERM end the process at once (nothing to keep).
  install_interrupt_handlers();
  std::vector<std::string> all = sets;
  // --seed is an override like any other, so provenance records it. The output path is not part of
  // the experiment: two runs written to different files must still be byte-identical.
  if (!seed.empty()) all.push_back("general.seed=" + seed);
  const ScenarioInput input = input_from(path, all);
  if (declares_ledgers(input))
    return run_ledgers(input, out, progress_mode, progress_interval_s, quiet, json);
  const Scenario sc = load_for_output(path, all, out);
  if (!quiet) {
    print_warnings(sc);
    hint_fast_simgrid(sc);
  }
  ProgressLine progress(sc.stop, progress_mode, progress_interval_s);
  RunOptions options;
  options.progress = [&](const RunProgress& p) { progress.update(p); };
  options.interrupt = &interrupt_flag();
  options.handle_signals = true;
  const auto start = std::chrono::steady_clock::now();
  const RunResult result = run_simulation(sc, builtin_catalog(), options);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish();
  if (json) {
    print_json(sc.source_name, sc.seed, result, wall_s);
  } else if (!quiet) {
    print_summary(fmt::format("{}, {} nodes, protocol {}, seed {}", sc.source_name, sc.network.nodes,
                              sc.consensus.protocol, sc.seed),
                  result, wall_s);
  }
  if (!result.complete) {
    std::fprintf(stderr, "dltsim: interrupted; what was recorded is in %s\n", result.output_path.c_str());
    return kExitInterrupted;
  }
  return kExitOk;
}

// Everything run would reject: the scenario, the network it builds (peer graph, power, attack
// nodes) and where the result would go.
int cmd_validate(const std::string& path, const std::vector<std::string>& sets,
                 const std::optional<std::string>& out, bool resolved) {
  const ScenarioInput input = input_from(path, sets);
  if (declares_ledgers(input)) {
    if (resolved) throw Error("--resolved prints one ledger's scenario: validate each ledger's file instead");
    const MultiLedgerScenario ms = load_ledgers_for_output(input, out);
    for (const LedgerSpec& l : ms.ledgers) {
      make_ledger_plan(l, builtin_catalog());
      print_warnings(l.scenario);
    }
    std::printf("ok\n");
    return kExitOk;
  }
  const Scenario sc = load_for_output(path, sets, out);
  make_run_plan(sc, builtin_catalog(), SeedTree(sc.seed));
  print_warnings(sc);
  // The resolved scenario (every default written out) is what the result file's provenance keeps.
  if (resolved) {
    std::fputs(resolved_scenario_yaml(sc, builtin_catalog()).c_str(), stdout);
    return kExitOk;
  }
  std::printf("ok\n");
  return kExitOk;
}

int cmd_list() {
  const Catalog& c = builtin_catalog();
  for (const auto& p : c.protocols.entries())
    std::printf("protocol  %-18s %s\n", p.name.c_str(), p.summary.c_str());
  for (const auto& a : c.attacks.entries())
    std::printf("attack    %-18s %s\n", a.name.c_str(), a.summary.c_str());
  for (const auto& p : c.presets.entries())
    std::printf("preset    %-18s %s\n", p.name.c_str(), p.summary.c_str());
  for (const auto& t : c.theories.entries())
    std::printf("theory    %-18s %s\n", t.name.c_str(), t.summary.c_str());
  for (const auto& b : c.bridges.entries())
    std::printf("bridge    %-18s %s\n", b.name.c_str(), b.summary.c_str());
  return kExitOk;
}

int cmd_describe(const std::string& name, bool markdown) {
  if (markdown) {
    if (name != "sections")
      throw Error("--markdown is for the scenario schema: dltsim describe --markdown sections");
    std::fputs(scenario_schema_markdown().c_str(), stdout);
    return kExitOk;
  }
  std::fputs(describe_text(builtin_catalog(), name).c_str(), stdout);
  return kExitOk;
}

int cmd_theory(const std::string& name, const std::vector<std::string>& args) {
  const Catalog& c = builtin_catalog();
  if (name.empty()) {
    for (const auto& t : c.theories.entries()) std::printf("%-18s %s\n", t.name.c_str(), t.summary.c_str());
    return kExitOk;
  }
  const TheoryInfo& info = c.theories.get(name);
  const ParamValues values = theory_arguments(info, args);
  for (const auto& p : info.params) std::printf("%-20s %s\n", p.name.c_str(), values.text(p.name).c_str());
  const Summary results = info.evaluate(values);
  for (const SummaryEntry& e : results.entries()) {
    std::printf("%-20s %s%s%s\n", e.name.c_str(), value_text(e.value).c_str(), e.unit.empty() ? "" : " ",
                e.unit.c_str());
  }
  return kExitOk;
}

// The value of an option given on the command line (even empty), or nothing.
std::optional<std::string> given(const CLI::Option* option, const std::string& value) {
  if (option->count() == 0) return std::nullopt;
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  // A run's heap on huge pages (see huge_pages.hpp); other commands are short and stay as they are.
  if (argc > 1 && std::string_view(argv[1]) == "run") dltsim::reexec_with_huge_pages(argv);
  // Started by the Python package: stop (SIGTERM: results kept as .incomplete.h5) when it dies.
  if (const char* parent = std::getenv("DLTSIM_EXIT_WITH_PARENT"); parent != nullptr && *parent != '\0') {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (std::to_string(getppid()) != parent) return 130;  // it died before we got here
  }
  CLI::App app{"dltsim: discrete-event simulator for security research on distributed ledgers"};
  app.set_version_flag("--version",
                       fmt::format("{} ({})\nSimGrid {}.{}.{}: {}", dltsim::kVersion, dltsim::kGitCommit,
                                   SIMGRID_VERSION_MAJOR, SIMGRID_VERSION_MINOR, SIMGRID_VERSION_PATCH,
                                   loaded_simgrid_library()));
  app.require_subcommand(1);

  std::string scenario, out, seed;
  std::vector<std::string> sets;
  bool no_progress = false, quiet = false, json = false;

  auto* run = app.add_subcommand("run", "run a scenario and write its HDF5 result file");
  run->add_option("scenario", scenario, "scenario file (YAML)")->required();
  auto* run_out = run->add_option("-o,--output", out, "result file (default: output.path, or <scenario>.h5)");
  run->add_option("--seed", seed, "master seed (overrides general.seed)");
  run->add_option("--set", sets, "override a scenario value, e.g. --set network.nodes=500 (repeatable)");
  run->add_flag("--no-progress", no_progress, "no progress line on stderr");
  std::string progress_mode = "auto";
  double progress_interval_s = 10;
  run->add_option(
         "--progress", progress_mode,
         "auto (a line on a terminal, none otherwise), plain (a line per --progress-interval and one at the "
         "end, for CI logs), none")
      ->check(CLI::IsMember({"auto", "plain", "none"}));
  run->add_option("--progress-interval", progress_interval_s,
                  "seconds between plain progress lines (default 10)")
      ->check(CLI::Range(0.05, 86400.0));
  run->add_flag("-q,--quiet", quiet, "no summary, and no progress line unless --progress plain");
  run->add_flag("--json", json, "print the summary as JSON on stdout (values, units, notes; NaN as null)");

  auto* validate = app.add_subcommand("validate", "check a scenario; prints ok or the first error");
  validate->add_option("scenario", scenario, "scenario file (YAML)")->required();
  validate->add_option("--set", sets, "override a scenario value (repeatable)");
  auto* validate_out =
      validate->add_option("-o,--output", out, "result file a run would write (checked as run checks it)");
  validate->add_option("--seed", seed, "master seed (the network it builds depends on it)");
  bool print_resolved = false;
  validate->add_flag("--resolved", print_resolved,
                     "print the resolved scenario (every default written out, as the result file keeps it)");

  app.add_subcommand("list", "registered protocols, attacks and network presets, one per line");

  std::string theory_name;
  std::vector<std::string> theory_args;
  auto* theory =
      app.add_subcommand("theory", "closed-form predictions: dltsim theory [NAME [param=value ...]]");
  theory->add_option("name", theory_name, "a registered closed form (without a name: list them)");
  theory->add_option("params", theory_args, "param=value, e.g. alpha=0.3 gamma=0.5");

  std::string name;
  auto* describe = app.add_subcommand(
      "describe", "parameters of a protocol or attack, a preset's figures, or a scenario section");
  describe->add_option("name", name, "protocol, attack, preset or scenario section (\"sections\" lists them)")
      ->required();
  bool markdown = false;
  describe->add_flag("--markdown", markdown,
                     "with \"sections\": the scenario schema as Markdown (docs/scenario-schema.md)");

  // Implemented in the Python package: every argument after the command goes to its module, --help
  // included.
  struct PythonCommand {
    const char* name;
    const char* module;
    const char* help;
  };
  static constexpr PythonCommand kPythonCommands[] = {
      {"study", "dltsim.study_cli",
       "parameter sweeps with replication: validate, run, collect, check (dltsim study --help)"},
      {"report", "dltsim.report_html",
       "a self-contained HTML page for a run or a study file (dltsim report --help)"},
      {"threats", "dltsim.threats_cli",
       "the threat catalogue, X.1401 / X.1402: list, describe ID, validate (dltsim threats --help)"},
      {"atlas", "dltsim.atlas_cli",
       "the threat catalogue as measured studies: run, collect, report, check (dltsim atlas --help)"},
  };
  std::vector<std::pair<CLI::App*, const char*>> python_commands;
  for (const PythonCommand& c : kPythonCommands) {
    auto* sub = app.add_subcommand(c.name, c.help);
    sub->prefix_command();
    sub->set_help_flag();
    python_commands.emplace_back(sub, c.module);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitInputError;
  }

  try {
    for (const auto& [sub, module] : python_commands) {
      if (sub->parsed()) return dltsim::exec_python_module(module, sub->remaining());
    }
    if (run->parsed()) {
      ProgressMode mode = ProgressMode::none;
      if (progress_mode == "plain") mode = ProgressMode::plain;
      if (progress_mode == "auto" && isatty(STDERR_FILENO)) mode = ProgressMode::tty;
      if (no_progress || (quiet && progress_mode != "plain")) mode = ProgressMode::none;
      return cmd_run(scenario, sets, given(run_out, out), seed, mode, progress_interval_s, quiet, json);
    }
    if (validate->parsed()) {
      if (!seed.empty()) sets.push_back("general.seed=" + seed);
      return cmd_validate(scenario, sets, given(validate_out, out), print_resolved);
    }
    if (describe->parsed()) return cmd_describe(name, markdown);
    if (theory->parsed()) return cmd_theory(theory_name, theory_args);
    return cmd_list();
  } catch (const dltsim::OutputError& e) {  // the run went, its result could not be written
    std::fprintf(stderr, "dltsim: error: %s\n", e.what());
    return kExitRunError;
  } catch (const dltsim::Error& e) {
    std::fprintf(stderr, "dltsim: error: %s\n", e.what());
    return kExitInputError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dltsim: internal error: %s\n", e.what());
    return kExitRunError;
  }
}
