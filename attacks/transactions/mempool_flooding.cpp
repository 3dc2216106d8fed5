// Mempool flooding (spam), as the 2015 campaigns did (Baqer et al., "Stressing out: Bitcoin stress
// testing", FC 2016 workshops): from start to end the attack's nodes create transactions as a
// Poisson process of `tx_per_s` (each at one of them, drawn uniformly) with a fixed size and fee
// rate, relayed and mined like any other. Spam that pays more than the honest users and exceeds
// the blocks' capacity starves them; spam that pays less only fills what they leave.
//
// Results: the spam created and confirmed, and the honest transactions' confirmation delay, share
// confirmed and evictions for those created before, during and after the flood.

#include <array>
#include <memory>

#include <fmt/format.h>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "attacks/transactions/tx_attack_common.hpp"
#include "sim/adversary/attack.hpp"
#include "sim/metrics/statistics.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

class FloodingAttack final : public Attack {
 public:
  explicit FloodingAttack(const AttackSetup& setup)
      : consensus_(attacks::require_transactions(setup.consensus, "mempool_flooding")),
        label_(setup.label),
        nodes_(setup.nodes),
        tx_per_s_(setup.spec.params.number("tx_per_s")),
        fee_rate_(setup.spec.params.number("fee_rate_sat_vb")),
        size_bytes_(static_cast<std::uint32_t>(setup.spec.params.number("size"))),
        start_s_(setup.spec.start_s),
        end_s_(setup.spec.end_s),
        rng_(setup.seeds.child("spam").rng()) {}

  void on_start(Runtime& runtime) override {
    runtime.call_at(start_s_ + gap(), [this, &runtime] { spam(runtime); });
  }

  void finish(Summary& summary) override {
    const attacks::MainChainView view = attacks::main_chain_view(consensus_);
    const TxTable& table = consensus_.transactions()->table();
    std::uint64_t spam_confirmed = 0;
    std::array<std::vector<double>, 3> delays;
    std::array<std::uint64_t, 3> created{}, confirmed{}, evicted{};
    std::size_t next_spam = 0;
    for (TxId id = 0; id < table.size(); ++id) {
      const bool confirmed_here = view.inclusion[id].height > 0;
      if (next_spam < spam_.size() && spam_[next_spam] == id) {
        ++next_spam;
        spam_confirmed += confirmed_here ? 1 : 0;
        continue;
      }
      const Transaction& tx = table.get(id);
      const int phase = tx.created_s < start_s_ ? 0 : tx.created_s < end_s_ ? 1 : 2;
      ++created[phase];
      if (confirmed_here) {
        ++confirmed[phase];
        delays[phase].push_back(view.inclusion[id].time_s - tx.created_s);
      } else if (tx.evictions > 0) {
        ++evicted[phase];
      }
    }
    summary.set(key("spam_created"), static_cast<std::uint64_t>(spam_.size()), "",
                "spam transactions created");
    summary.set(key("spam_confirmed"), spam_confirmed, "", "of them, on the final main chain");
    const char* phases[3] = {"before", "during", "after"};
    for (int p = 0; p < 3; ++p) {
      const std::string when = phases[p];
      const Estimate d = sample_mean(delays[p]);
      const std::string none = "no honest transaction created " + when + " the flood was confirmed";
      summary.set(key(("honest_created_" + when).c_str()), created[p], "",
                  "honest transactions created " + when + " the flood");
      summary.set_number(key(("honest_confirmed_share_" + when).c_str()),
                         created[p] > 0 ? static_cast<double>(confirmed[p]) / created[p] : std::nan(""), "",
                         "of them, the share confirmed by the end", "no honest transaction created " + when);
      summary.set_number(key(("honest_delay_mean_" + when + "_s").c_str()), d.value, "s",
                         "their confirmation delay, mean", none);
      summary.set_number(key(("honest_delay_se_" + when + "_s").c_str()), d.standard_error, "s",
                         "its standard error (independent samples)", none);
      summary.set(key(("honest_evicted_" + when).c_str()), evicted[p], "",
                  "of them, evicted from mempools and not confirmed");
      summary.mark_proportions({key(("honest_confirmed_share_" + when).c_str())});
    }
  }

 private:
  std::string key(const char* name) const { return label_ + "_" + name; }
  double gap() { return boost::random::exponential_distribution<double>(tx_per_s_)(rng_); }

  void spam(Runtime& runtime) {
    const double now = runtime.now_s();
    if (now >= end_s_ || !runtime.producing()) return;
    const NodeId origin =
        nodes_[boost::random::uniform_int_distribution<std::size_t>(0, nodes_.size() - 1)(rng_)];
    const TxId id = consensus_.transactions()->create(origin, now, size_bytes_, fee_rate_);
    spam_.push_back(id);
    consensus_.deliver(runtime, origin, id);
    runtime.call_at(now + gap(), [this, &runtime] { spam(runtime); });
  }

  longest_chain::LongestChainConsensus& consensus_;
  std::string label_;
  std::vector<NodeId> nodes_;
  double tx_per_s_, fee_rate_;
  std::uint32_t size_bytes_;
  double start_s_, end_s_;
  Rng rng_;
  std::vector<TxId> spam_;  // in creation order
};

}  // namespace

void register_mempool_flooding(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "mempool_flooding";
  info.summary = "spam transactions at a fee rate and volume for a window; honest delays, fees and evictions";
  info.params = {
      param::real("tx_per_s", 10, greater_than(0), "spam transactions created per second (all attack nodes)"),
      param::real("fee_rate_sat_vb", 5, between(0, 1e7), "their fee rate, satoshi per vbyte"),
      param::size("size", "250 B", between(60, 1e5), "their size (virtual bytes)"),
  };
  info.families = {longest_chain::kFamily};
  info.needs_transactions = true;
  info.make = [](const AttackSetup& s) { return std::make_unique<FloodingAttack>(s); };
  registry.add(std::move(info));
}

}  // namespace dltsim
