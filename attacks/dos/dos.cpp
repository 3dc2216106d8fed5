// Bandwidth denial of service: from start to end the attacker floods the access links of the attack's
// nodes with `flows` transfers each, from hosts outside the ledger network. The floods are SimGrid
// flows like any other transfer, so they take their max-min share of the victim's link: with m floods
// a lone block transfer on that link gets 1 / (m + 1) of it, and everything the victim receives
// (download) or serves (upload) slows down accordingly. No message is lost; what changes is when
// blocks arrive, hence propagation and stale rates (compare with the same seed without the attack).
//
// With `target: cpu` the attacker floods the victims' processors instead: invalid messages arrive at
// each victim as a Poisson process and each costs `invalid_cost` seconds of CPU to reject, at the
// rate that keeps the CPU busy a share `cpu_load` of the time. The CPU is shared equally by the jobs
// on it (sim/node/node_cpus.hpp), so a block's validation (consensus.params.validation_delay) takes
// longer: v / (1 - load) on average for Poisson floods (processor sharing).

#include <fmt/format.h>
#include <boost/random/exponential_distribution.hpp>

#include "sim/adversary/attack.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

const std::vector<std::string> kDirections{"download", "upload", "both"};
const std::vector<std::string> kTargets{"links", "cpu"};

class DosAttack final : public Attack {
 public:
  explicit DosAttack(const AttackSetup& setup)
      : label_(setup.label),
        victims_(setup.nodes),
        flows_(static_cast<std::uint32_t>(setup.spec.params.integer("flows"))),
        direction_(setup.spec.params.text("direction")),
        cpu_(setup.spec.params.text("target") == "cpu"),
        cpu_load_(setup.spec.params.number("cpu_load")),
        invalid_cost_s_(setup.spec.params.number("invalid_cost")),
        start_s_(setup.spec.start_s),
        end_s_(setup.spec.end_s),
        seeds_(setup.seeds) {}

  void on_start(Runtime& runtime) override {
    if (cpu_) {
      for (const NodeId v : victims_) {
        auto rng = std::make_shared<Rng>(seeds_.child("cpu").child(v).rng());
        runtime.call_at(start_s_, [this, &runtime, v, rng] { next_invalid(runtime, v, rng); });
      }
      return;
    }
    runtime.call_at(start_s_, [this, &runtime] {
      Transport& t = runtime.transport();
      for (const NodeId v : victims_) {
        if (direction_ != "upload")
          handles_.push_back(t.start_cross_traffic(v, true, flows_, runtime.now_s()));
        if (direction_ != "download")
          handles_.push_back(t.start_cross_traffic(v, false, flows_, runtime.now_s()));
      }
    });
    runtime.call_at(end_s_, [this, &runtime] {
      for (const std::size_t h : handles_) runtime.transport().stop_cross_traffic(h, runtime.now_s());
      handles_.clear();
    });
  }

  void finish(Summary& summary) override {
    summary.set(label_ + "_victims", static_cast<std::int64_t>(victims_.size()), "nodes", "nodes flooded");
    if (cpu_) {
      summary.set(label_ + "_invalid_messages", static_cast<std::int64_t>(invalid_), "messages",
                  "invalid messages the victims validated");
      summary.set(label_ + "_cpu_load", cpu_load_, "", "share of a victim's CPU time the flood takes");
      return;
    }
    summary.set(label_ + "_flows_per_link", static_cast<std::int64_t>(flows_), "",
                "flood transfers on each flooded link (a lone transfer there gets 1 / (flows + 1) of it)");
  }

 private:
  // One invalid message now, the next after an exponential wait (a Poisson flood), until the end.
  void next_invalid(Runtime& runtime, NodeId v, const std::shared_ptr<Rng>& rng) {
    if (runtime.now_s() >= end_s_ || !runtime.producing()) return;
    runtime.cpus().load(v, invalid_cost_s_);
    ++invalid_;
    const double rate = cpu_load_ / invalid_cost_s_;
    const double wait_s = boost::random::exponential_distribution<double>(rate)(*rng);
    runtime.call_at(runtime.now_s() + wait_s, [this, &runtime, v, rng] { next_invalid(runtime, v, rng); });
  }

  std::string label_;
  std::vector<NodeId> victims_;
  std::uint32_t flows_;
  std::string direction_;
  bool cpu_;
  double cpu_load_;
  double invalid_cost_s_;
  double start_s_;
  double end_s_;
  SeedTree seeds_;
  std::uint64_t invalid_ = 0;
  std::vector<std::size_t> handles_;
};

}  // namespace

void register_dos(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "dos";
  info.summary =
      "floods the access links of the attack's nodes with transfers that share their bandwidth, or their CPU "
      "with invalid messages";
  info.params = {
      param::integer(
          "flows", 10, between(1, 10000),
          "flood transfers per flooded link: a lone transfer on it keeps 1 / (flows + 1) of the link"),
      param::choice("direction", "download", kDirections,
                    "which link of each victim: download (what it receives), upload (what it serves), both"),
      param::choice(
          "target", "links", kTargets,
          "links: flood transfers on the victims' access links; cpu: invalid messages that cost the "
          "victims CPU time (flows and direction do not apply)"),
      param::real("cpu_load", 0.5, Range{0, 1, true, true},
                  "target cpu: share of a victim's CPU time the invalid messages take (their rate is "
                  "cpu_load / invalid_cost)"),
      param::duration(
          "invalid_cost", "10 ms", at_least(1e-3),
          "target cpu: CPU time to reject one invalid message (at least 1 ms: the flood is simulated "
          "message by message)"),
  };
  info.check_network = [](const ParamValues& v, const NetworkSpec& net) -> std::string {
    if (v.text("target") == "cpu") return "";
    if (net.idealised || net.contention == Contention::none) {
      return fmt::format(
          "attack 'dos' floods links as SimGrid transfers: it needs network.contention "
          "upload_download (or upload, for direction upload), not {}",
          net.idealised ? "the idealised network" : "contention none");
    }
    if (net.contention == Contention::upload && v.text("direction") != "upload") {
      return fmt::format(
          "attack 'dos': with network.contention upload a node's download is not a shared link, "
          "so direction {} floods nothing; use contention upload_download",
          v.text("direction"));
    }
    return "";
  };
  info.make = [](const AttackSetup& setup) { return std::make_unique<DosAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
