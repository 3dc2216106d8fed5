// Bandwidth denial of service: from start to end the attacker floods the access links of the attack's
// nodes with `flows` transfers each, from hosts outside the ledger network. The floods are SimGrid
// flows like any other transfer, so they take their max-min share of the victim's link: with m floods
// a lone block transfer on that link gets 1 / (m + 1) of it, and everything the victim receives
// (download) or serves (upload) slows down accordingly. No message is lost; what changes is when
// blocks arrive, hence propagation and stale rates (compare with the same seed without the attack).

#include <fmt/format.h>

#include "sim/adversary/attack.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

const std::vector<std::string> kDirections{"download", "upload", "both"};

class DosAttack final : public Attack {
 public:
  explicit DosAttack(const AttackSetup& setup)
      : label_(setup.label),
        victims_(setup.nodes),
        flows_(static_cast<std::uint32_t>(setup.spec.params.integer("flows"))),
        direction_(setup.spec.params.text("direction")),
        start_s_(setup.spec.start_s),
        end_s_(setup.spec.end_s) {}

  void on_start(Runtime& runtime) override {
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
    summary.set(label_ + "_flows_per_link", static_cast<std::int64_t>(flows_), "",
                "flood transfers on each flooded link (a lone transfer there gets 1 / (flows + 1) of it)");
  }

 private:
  std::string label_;
  std::vector<NodeId> victims_;
  std::uint32_t flows_;
  std::string direction_;
  double start_s_;
  double end_s_;
  std::vector<std::size_t> handles_;
};

}  // namespace

void register_dos(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "dos";
  info.summary = "floods the access links of the attack's nodes with transfers that share their bandwidth";
  info.params = {
      param::integer(
          "flows", 10, between(1, 10000),
          "flood transfers per flooded link: a lone transfer on it keeps 1 / (flows + 1) of the link"),
      param::choice("direction", "download", kDirections,
                    "which link of each victim: download (what it receives), upload (what it serves), both"),
  };
  info.check_network = [](const ParamValues& v, const NetworkSpec& net) -> std::string {
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
