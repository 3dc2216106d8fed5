#include "sim/node/node_cpus.hpp"

#include <algorithm>
#include <utility>

#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {
// Jobs whose remaining work is within this of the least are done together (rounding of 1/n steps).
constexpr double kDoneTolerance_s = 1e-12;
}  // namespace

NodeCpus::NodeCpus(Runtime& runtime, std::function<void(NodeId, std::uint64_t)> done)
    : runtime_(runtime), done_(std::move(done)) {}

void NodeCpus::run(NodeId node, double work_s, std::uint64_t tag) {
  add(node, Job{work_s, tag, true});
}

void NodeCpus::load(NodeId node, double work_s) {
  add(node, Job{work_s, 0, false});
}

std::size_t NodeCpus::jobs(NodeId node) const {
  const auto it = cpus_.find(node);
  return it == cpus_.end() ? 0 : it->second.jobs.size();
}

void NodeCpus::advance(Cpu& cpu, double now_s) const {
  if (!cpu.jobs.empty()) {
    const double share_s = (now_s - cpu.updated_s) / static_cast<double>(cpu.jobs.size());
    for (Job& j : cpu.jobs) j.remaining_s -= share_s;
  }
  cpu.updated_s = now_s;
}

void NodeCpus::add(NodeId node, Job job) {
  Cpu& cpu = cpus_[node];
  advance(cpu, runtime_.now_s());
  cpu.jobs.push_back(job);
  schedule(node, cpu);
}

void NodeCpus::schedule(NodeId node, Cpu& cpu) {
  const std::uint64_t generation = ++cpu.generation;
  if (cpu.jobs.empty()) return;
  double least_s = cpu.jobs.front().remaining_s;
  for (const Job& j : cpu.jobs) least_s = std::min(least_s, j.remaining_s);
  const double at_s = runtime_.now_s() + std::max(0.0, least_s) * static_cast<double>(cpu.jobs.size());
  runtime_.call_at(at_s, [this, node, generation] { complete(node, generation); });
}

void NodeCpus::complete(NodeId node, std::uint64_t generation) {
  Cpu& cpu = cpus_[node];
  if (generation != cpu.generation) return;  // the jobs changed since this was scheduled
  advance(cpu, runtime_.now_s());
  // The job with the least work left is the one this event was scheduled for: it is done whatever
  // rounding left of it (at large times the clock's resolution exceeds any fixed tolerance), and so
  // is every job within rounding of it.
  double least_s = cpu.jobs.front().remaining_s;
  for (const Job& j : cpu.jobs) least_s = std::min(least_s, j.remaining_s);
  std::vector<std::uint64_t> finished;
  auto done = [&finished, least_s](const Job& j) {
    if (j.remaining_s > least_s + kDoneTolerance_s) return false;
    if (j.notify) finished.push_back(j.tag);
    return true;
  };
  // In submission order: two jobs that end together are reported in the order they started.
  cpu.jobs.erase(std::remove_if(cpu.jobs.begin(), cpu.jobs.end(), done), cpu.jobs.end());
  schedule(node, cpu);
  for (const std::uint64_t tag : finished) done_(node, tag);
}

}  // namespace dltsim
