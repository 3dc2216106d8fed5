// The C++ side of `import dltsim`: scenario validation, the registries, the closed forms, YAML
// parsing, and running the dltsim executable in a child process with the GIL released (SimGrid
// allows one engine per process, so simulations never run inside the Python process).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <boost/math/distributions/students_t.hpp>

#include "dltsim/version.hpp"
#include "python/src/yaml_to_python.hpp"
#include "sim/core/units.hpp"
#include "sim/metrics/output_path.hpp"
#include "sim/run/builtin_extensions.hpp"
#include "sim/run/describe.hpp"
#include "sim/run/run_plan.hpp"
#include "sim/scenario/multi_ledger.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/scenario_sections.hpp"

extern char** environ;

namespace py = pybind11;
using namespace dltsim;

namespace {

py::dict param_dict(const ParamSpec& p) {
  py::dict d;
  d["name"] = p.name;
  d["type"] = std::string(p.type_name());
  d["unit"] = std::string(p.unit());
  d["default"] = p.default_value;
  d["allowed"] = p.allowed();
  d["range"] = py::make_tuple(p.range.lo, p.range.hi);  // numeric types, in the stored unit
  d["doc"] = p.doc;
  return d;
}

template <class Entry>
py::list entries(const Registry<Entry>& registry, const char* kind) {
  py::list out;
  for (const auto& e : registry.entries()) {
    py::dict d;
    d["kind"] = kind;
    d["name"] = e.name;
    d["summary"] = e.summary;
    if constexpr (!std::is_same_v<Entry, NetworkPreset>) {
      py::list params;
      for (const auto& p : e.params) params.append(param_dict(p));
      d["params"] = params;
    }
    if constexpr (std::is_same_v<Entry, ProtocolInfo> || std::is_same_v<Entry, AttackInfo> ||
                  std::is_same_v<Entry, BridgeInfo>)
      d["tables"] = e.tables;
    if constexpr (std::is_same_v<Entry, BridgeInfo>) d["roles"] = e.roles;
    if constexpr (std::is_same_v<Entry, AttackInfo>) {
      d["families"] = e.families;  // empty: any
      d["protocols"] = builtin_catalog().protocols_for(e);
    }
    if constexpr (std::is_same_v<Entry, ProtocolInfo>) d["family"] = e.family;
    if constexpr (std::is_same_v<Entry, NetworkPreset>) {
      d["sources"] = e.sources;
      py::list regions;
      for (const auto& r : e.regions) {
        py::dict rd;
        rd["name"] = r.name;
        rd["share"] = r.share;
        rd["download_bps"] = r.download_bps;
        rd["upload_bps"] = r.upload_bps;
        regions.append(rd);
      }
      d["regions"] = regions;
      d["latency_s"] = e.latency_s;
      d["outbound_degree_cdf"] = e.outbound_degree_cdf;
      d["max_inbound"] = e.max_inbound;
    }
    if constexpr (!std::is_same_v<Entry, TheoryInfo>)
      d["text"] = describe_text(builtin_catalog(), e.name);  // what `dltsim describe NAME` prints
    out.append(d);
  }
  return out;
}

py::object summary_value(const SummaryValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return py::float_(*d);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return py::int_(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&v)) return py::int_(*u);
  return py::str(std::get<std::string>(v));
}

py::dict validate(const std::string& text, const std::string& name,
                  const std::vector<std::string>& overrides) {
  py::dict result;
  try {
    const ScenarioInput input{name, text, overrides};
    if (declares_ledgers(input)) {
      // Several ledgers (docs/interconnect.md): each ledger's network as the run builds it.
      const MultiLedgerScenario ms = load_multi_ledger(input, builtin_catalog());
      py::list warnings;
      for (const LedgerSpec& l : ms.ledgers) {
        make_ledger_plan(l, builtin_catalog());
        for (const ScenarioWarning& w : l.scenario.warnings) warnings.append(w.message());
      }
      result["ok"] = true;
      result["effective_yaml"] = ms.effective_yaml;
      result["output_path"] = ms.output.path;
      result["seed"] = ms.seed;
      result["warnings"] = warnings;
      return result;
    }
    const Scenario sc = load_scenario(input, builtin_catalog());
    // The network as a run builds it: a peer graph that cannot be connected or a selection that
    // leaves no honest node is reported here, located, as `dltsim validate` does.
    make_run_plan(sc, builtin_catalog(), SeedTree(sc.seed));
    result["ok"] = true;
    result["effective_yaml"] = sc.effective_yaml;
    result["output_path"] = sc.output.path;
    result["seed"] = sc.seed;
    py::list warnings;  // settings that have no effect, located
    for (const ScenarioWarning& w : sc.warnings) warnings.append(w.message());
    result["warnings"] = warnings;
  } catch (const ScenarioError& e) {
    result["ok"] = false;
    result["message"] = std::string(e.what());
    result["source"] = e.where().source;
    result["line"] = e.where().line;
    result["column"] = e.where().column;
    result["key_path"] = e.key_path();
    result["detail"] = e.detail();
  } catch (const Error& e) {
    result["ok"] = false;
    result["message"] = std::string(e.what());
    result["source"] = name;
    result["line"] = 0;
    result["column"] = 0;
    result["key_path"] = "";
    result["detail"] = std::string(e.what());
  }
  return result;
}

py::dict evaluate_theory(const std::string& name, const std::vector<std::string>& assignments) {
  const TheoryInfo& info = builtin_catalog().theories.get(name);
  const Summary s = info.evaluate(theory_arguments(info, assignments));
  py::dict d;
  for (const SummaryEntry& e : s.entries()) d[py::str(e.name)] = summary_value(e.value);
  return d;
}

// Runs argv[0] with arguments; returns (exit status or -1, terminating signal or 0, stdout, stderr).
// The GIL is released while the child runs; a pending KeyboardInterrupt sends it SIGINT (it then
// keeps what it recorded) and is re-raised.
py::tuple run_child(const std::vector<std::string>& argv, const py::object& on_progress) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw std::runtime_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  // The child starts with default signal handling whatever Python (or Jupyter) installed.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  // Its own process group: Ctrl-C in a terminal reaches Python only, which forwards one SIGINT (a
  // second one would kill the child before it saves what it recorded).
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The child stops when this process dies (dltsim reads DLTSIM_EXIT_WITH_PARENT: parent death
  // signal), instead of running on, re-parented to init.
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "DLTSIM_EXIT_WITH_PARENT=", 24) != 0) env_s.emplace_back(*e);
  }
  env_s.push_back("DLTSIM_EXIT_WITH_PARENT=" + std::to_string(getpid()));
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  std::string out, err, err_pending;
  bool interrupted = false;
  std::exception_ptr callback_error;  // the callback raised: the child is stopped, then it is re-raised
  // Lines "progress: ..." (dltsim run --progress plain) go to on_progress as they come, the rest
  // to stderr.
  auto take_lines = [&](bool flush) {
    std::size_t start = 0;
    for (std::size_t nl; (nl = err_pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      const std::string line = err_pending.substr(start, nl - start);
      if (!on_progress.is_none() && line.rfind("progress: ", 0) == 0) {
        if (callback_error) continue;
        try {
          on_progress(line);
        } catch (...) {
          callback_error = std::current_exception();
          kill(pid, SIGINT);
        }
      } else {
        err += line + "\n";
      }
    }
    err_pending.erase(0, start);
    if (flush) {
      err += err_pending;
      err_pending.clear();
    }
  };
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    {
      py::gil_scoped_release release;
      if (poll(fds, 2, 200) < 0 && errno != EINTR) break;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = read(fds[i].fd, buf, sizeof buf);
        if (n > 0) {
          (i == 0 ? out : err_pending).append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
          close(fds[i].fd);
          fds[i].fd = -1;
          --open_fds;
        }
      }
    }
    take_lines(false);  // with the GIL: the callback is Python
    if (!interrupted && PyErr_CheckSignals() != 0) {
      interrupted = true;
      kill(pid, SIGINT);
    }
  }
  take_lines(true);
  int status = 0;
  {
    py::gil_scoped_release release;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (callback_error) std::rethrow_exception(callback_error);
  if (interrupted) throw py::error_already_set();
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return py::make_tuple(code, sig, py::bytes(out), py::bytes(err));
}

}  // namespace

PYBIND11_MODULE(_dltsim, m) {
  m.doc() = "dltsim native module (use the dltsim package)";
  m.attr("version") = kVersion;
  m.attr("git_commit") = kGitCommit;
  m.attr("schema_version") = kResultSchemaVersion;
  m.def("validate", &validate, py::arg("text"), py::arg("name"), py::arg("overrides"),
        "Validates a scenario: {'ok': True, 'effective_yaml', ...} or {'ok': False, 'message', 'line', ...}");
  m.def(
      "catalog",
      [] {
        const Catalog& c = builtin_catalog();
        py::dict d;
        d["protocols"] = entries(c.protocols, "protocol");
        d["attacks"] = entries(c.attacks, "attack");
        d["presets"] = entries(c.presets, "preset");
        d["theories"] = entries(c.theories, "theory");
        d["bridges"] = entries(c.bridges, "bridge");  // mechanisms between ledgers (multi-ledger runs)
        d["runtime_tables"] = runtime_table_names();  // written by every run, whatever its protocol
        py::list sections;
        for (const SectionDoc& sd : scenario_sections()) {
          py::dict e;
          e["kind"] = "section";
          e["name"] = sd.path;
          e["summary"] = sd.doc;
          py::list keys;
          for (const ParamSpec& p : sd.keys) {
            py::dict k = param_dict(p);
            if (!p.only_with.empty()) k["only_with"] = py::make_tuple(p.only_with, p.only_with_values);
            keys.append(k);
          }
          e["params"] = keys;
          e["required"] = sd.required;
          e["text"] = describe_text(builtin_catalog(), sd.path);
          sections.append(e);
        }
        d["sections"] = sections;  // the scenario schema, one entry per section
        return d;
      },
      "Every registered protocol, attack, network preset and closed form, with its parameters");
  m.def("theory", &evaluate_theory, py::arg("name"), py::arg("assignments"),
        "Evaluates a registered closed form");
  m.def("yaml_to_python", &dltsim::python::yaml_to_python, py::arg("text"),
        "Parses one YAML document into dicts, lists and scalars (safe on hostile input: raises ValueError)");
  m.def("output_problem", &output_path_problem, py::arg("path"), py::arg("scenario_file"),
        "Why a result file cannot be written at path (the policy of `dltsim run -o`), or ''");
  m.def(
      "student_t_quantile",
      [](double p, double dof) { return boost::math::quantile(boost::math::students_t(dof), p); },
      py::arg("p"), py::arg("dof"), "Quantile of Student's t distribution (Boost.Math)");
  m.def(
      "parse_quantity",
      [](const std::string& text) -> py::object {
        // A value with a unit as scenarios write it, in dltsim's base unit; None if it is not one.
        const std::pair<double (*)(std::string_view), const char*> kinds[] = {
            {&parse_duration_s, "s"}, {&parse_size_bytes, "bytes"}, {&parse_rate_bps, "bit/s"}};
        for (const auto& [parse, unit] : kinds) {
          try {
            return py::make_tuple(parse(text), unit);
          } catch (const UnitError&) {
          }
        }
        return py::none();
      },
      py::arg("text"), "('535 KB') -> (535000.0, 'bytes'); seconds, bytes or bit/s; None if not a quantity");
  m.def("run_child", &run_child, py::arg("argv"), py::arg("on_progress") = py::none(),
        "Runs a process; returns (exit code, signal, stdout, stderr); on_progress(line) gets its "
        "'progress: ' stderr lines as they come");
}
