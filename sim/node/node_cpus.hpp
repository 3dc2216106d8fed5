#pragma once
// Node processors. Each node's CPU is shared equally by the jobs on it (processor sharing, as an OS
// time-slices threads): with n jobs each progresses at 1/n of real time. A job is protocol work that
// ends with a callback (a block's validation) or background work that ends silently (the validation
// of invalid messages an attacker floods a node with). Only nodes that ever had a job have state.

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "sim/core/ids.hpp"

namespace dltsim {

class Runtime;

/// The processors of all nodes of a run.
class NodeCpus {
 public:
  /// done(node, tag) is called when a job with a tag finishes.
  NodeCpus(Runtime& runtime, std::function<void(NodeId, std::uint64_t)> done);
  /// Starts a job of work_s seconds of CPU on `node` now; done(node, tag) when it finishes.
  void run(NodeId node, double work_s, std::uint64_t tag);
  /// Starts background work of work_s seconds on `node` now (nothing is called when it ends).
  void load(NodeId node, double work_s);
  /// Jobs on a node now.
  std::size_t jobs(NodeId node) const;

 private:
  struct Job {
    double remaining_s;
    std::uint64_t tag;
    bool notify;
  };
  struct Cpu {
    std::vector<Job> jobs;
    double updated_s = 0;
    std::uint64_t generation = 0;  // completion events of older generations are stale
  };

  void add(NodeId node, Job job);
  void advance(Cpu& cpu, double now_s) const;
  void schedule(NodeId node, Cpu& cpu);
  void complete(NodeId node, std::uint64_t generation);

  Runtime& runtime_;
  std::function<void(NodeId, std::uint64_t)> done_;
  std::unordered_map<NodeId, Cpu> cpus_;  // looked up only, never iterated: no order depends on it
};

}  // namespace dltsim
