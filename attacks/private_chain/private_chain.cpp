// The private-chain attack of the consistency analyses under network delay (Pass, Seeman and
// Shelat 2017; Dembo et al., "Everything is a race and Nakamoto always wins", CCS 2020): from the
// public head (or `fork_depth` blocks below it) the pool mines only on its own chain and publishes
// it when it leads the public chain it knows by `publish_lead` blocks (`publish: longer`; the pool
// hears of honest blocks only after the network's delay, so a lead of one is often already gone
// when its blocks arrive), or a set time
// after forking whatever the lengths (`publish: at_time`). An attempt is abandoned when the public
// chain leads by `give_up_deficit`. Then it mines honestly until `fork_depth` new blocks are on the
// chain (so a new race never reverts the pool's own last one) and races again. Whether an attempt
// won is judged at the end of the run: its last published block is on the main chain.
//
// While the pool races it publishes nothing, so the public chain grows by honest blocks alone: the
// summary reports both growth rates, the quantities the security threshold compares (the attack
// wins long races iff the private chain grows faster), and, in the idealised network with a fixed
// delay D, the honest chain's growth rate lambda_h / (1 + lambda_h D) (with many honest miners a new
// height appears at the first honest block found D after the previous one).

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "attacks/common/private_chain_pool.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/metrics/statistics.hpp"
#include "sim/net/network.hpp"

namespace dltsim {

namespace {

struct AttemptRow {
  std::uint16_t attack;
  std::uint32_t attempt;
  double start_s;
  double end_s;
  std::uint8_t published;
  std::uint8_t won;
  std::uint32_t private_blocks;
  std::uint32_t public_blocks;
};

TableSchema attempt_schema() {
  return {
      "private_chain_attempts",
      "Races of a private-chain attack",
      sizeof(AttemptRow),
      {DLTSIM_COLUMN(AttemptRow, attack, "", "index of the attack in the scenario"),
       DLTSIM_COLUMN(AttemptRow, attempt, "", "attempt number"),
       DLTSIM_COLUMN(AttemptRow, start_s, "s", "when the pool forked"),
       DLTSIM_COLUMN(AttemptRow, end_s, "s", "when it published or gave up"),
       DLTSIM_COLUMN(AttemptRow, published, "", "1 if the pool published its chain"),
       DLTSIM_COLUMN(AttemptRow, won, "", "1 if its last published block is on the main chain at the end"),
       DLTSIM_COLUMN(AttemptRow, private_blocks, "blocks", "blocks on the private branch"),
       DLTSIM_COLUMN(AttemptRow, public_blocks, "blocks",
                     "blocks on the public branch, as the pool saw it")}};
}

struct Attempt {
  double start_s = 0;
  double end_s = 0;
  bool published = false;
  BlockId published_head = 0;
  std::uint32_t private_blocks = 0;
  std::uint32_t public_blocks = 0;
};

class PrivateChainRace final : public attacks::PrivateChainPool {
 public:
  PrivateChainRace(longest_chain::LongestChainConsensus& consensus, const AttackSetup& setup)
      : PrivateChainPool(consensus, setup.spec),
        depth_(static_cast<std::uint32_t>(setup.spec.params.integer("fork_depth"))),
        give_up_(static_cast<std::uint32_t>(setup.spec.params.integer("give_up_deficit"))),
        at_time_(setup.spec.params.choice("publish") == "at_time"),
        lead_(static_cast<std::uint32_t>(setup.spec.params.integer("publish_lead"))),
        publish_after_s_(setup.spec.params.number("publish_after")) {}

  std::vector<Attempt> attempts;    ///< finished attempts
  double racing_s = 0;              ///< time spent racing, all attempts
  std::uint64_t private_grown = 0;  ///< private blocks mined while racing
  std::uint64_t public_grown = 0;   ///< public height gained while racing (honest blocks only)

  // An attempt still running at the end of the run counts for the growth rates, not as an attempt.
  void close_open_race() {
    if (!racing_) return;
    tally();
    racing_ = false;
  }

 private:
  void on_begin() override { fork(); }

  void after_pool_block() override {
    if (racing_) return check();
    publish_all();  // between races the pool mines like everyone else
    fork_when_deep_enough();
  }

  void after_public_block(BlockId, bool) override {
    if (racing_) return check();
    adopt();
    fork_when_deep_enough();
  }

  void fork_when_deep_enough() {
    if (consensus_.tree().get(public_head_).height >= last_end_height_ + depth_) fork();
  }

  void fork() {
    const BlockTree& tree = consensus_.tree();
    const std::uint32_t height = tree.get(public_head_).height;
    restart_from(tree.ancestor_at(public_head_, height > depth_ ? height - depth_ : 0));
    current_ = Attempt{};
    current_.start_s = now_s();
    racing_ = true;
    if (at_time_) {
      const std::uint64_t id = ++generation_;
      call_in(publish_after_s_, [this, id] {
        if (racing_ && generation_ == id) end(true);
      });
    }
  }

  void check() {
    if (!racing_) return;
    const attacks::RaceState s = state();
    if (!at_time_ && s.a >= s.h + lead_) {
      end(true);
    } else if (s.h >= s.a + give_up_) {
      end(false);
    }
  }

  void tally() {
    const attacks::RaceState s = state();
    racing_s += now_s() - current_.start_s;
    private_grown += s.a;
    public_grown += s.h;
    current_.private_blocks = s.a;
    current_.public_blocks = s.h;
  }

  void end(bool publish) {
    tally();
    current_.end_s = now_s();
    current_.published = publish;
    if (publish) {
      current_.published_head = private_head_;
      publish_all();
    } else {
      adopt();
    }
    attempts.push_back(current_);
    racing_ = false;
    last_end_height_ = consensus_.tree().get(public_head_).height;
    fork_when_deep_enough();
  }

  std::uint32_t depth_;
  std::uint32_t give_up_;
  bool at_time_;
  std::uint32_t lead_;
  double publish_after_s_;
  bool racing_ = false;
  std::uint32_t last_end_height_ = 0;
  std::uint64_t generation_ = 0;
  Attempt current_;
};

class PrivateChainAttack final : public attacks::PoolAttack<PrivateChainRace> {
 public:
  explicit PrivateChainAttack(const AttackSetup& setup)
      : PoolAttack(setup),
        alpha_(setup.spec.params.number("alpha")),
        index_(setup.index),
        table_(setup.recorder.table(attempt_schema())),
        network_(setup.network) {
    pool_ = std::make_unique<PrivateChainRace>(consensus_, setup);
  }

  void finish(Summary& summary) override {
    pool_->close_open_race();
    const BlockTree& tree = consensus_.tree();
    const std::vector<bool> main = tree.chain_flags(consensus_.metrics().main_head());
    std::uint64_t published = 0, won = 0;
    for (std::size_t i = 0; i < pool_->attempts.size(); ++i) {
      const Attempt& a = pool_->attempts[i];
      const bool w = a.published && main[a.published_head];
      published += a.published ? 1 : 0;
      won += w ? 1 : 0;
      Recorder::append(table_, AttemptRow{index_, static_cast<std::uint32_t>(i), a.start_s, a.end_s,
                                          static_cast<std::uint8_t>(a.published),
                                          static_cast<std::uint8_t>(w), a.private_blocks, a.public_blocks});
    }
    const ProportionEstimate rate = proportion(won, pool_->attempts.size());
    const std::string none = "no attempt finished";
    summary.set(key("alpha"), alpha_, "", "the pool's hashrate share");
    summary.set(key("attempts"), static_cast<std::int64_t>(pool_->attempts.size()), "", "races finished");
    summary.set(key("published"), static_cast<std::int64_t>(published), "", "races the pool published");
    summary.set(key("won"), static_cast<std::int64_t>(won), "",
                "published races whose last block is on the main chain at the end");
    summary.set_number(key("win_rate"), rate.value, "", "won / attempts", none);
    summary.set_number(key("win_rate_ci_low"), rate.ci_low, "", "Wilson 95 % interval of win_rate: low end",
                       none);
    summary.set_number(key("win_rate_ci_high"), rate.ci_high, "",
                       "Wilson 95 % interval of win_rate: high end", none);
    summary.mark_proportions({key("win_rate"), key("win_rate_ci_low"), key("win_rate_ci_high")});
    const double racing = pool_->racing_s;
    const std::string no_race = "the pool never raced";
    summary.set_number(key("private_growth_per_s"),
                       racing > 0 ? static_cast<double>(pool_->private_grown) / racing : std::nan(""), "1/s",
                       "private chain growth while racing (blocks per second)", no_race);
    summary.set_number(key("public_growth_per_s"),
                       racing > 0 ? static_cast<double>(pool_->public_grown) / racing : std::nan(""), "1/s",
                       "public chain growth while racing: honest blocks only (blocks per second)", no_race);
    // The closed form holds in the idealised network with a fixed delay and many honest miners.
    const NetworkSpec& net = network_.spec();
    longest_chain::BlockProduction& production = consensus_.production();
    const bool closed_form = net.idealised && net.delay_law == DelayLaw::fixed;
    summary.set_number(
        key("theory_public_growth_per_s"),
        closed_form ? production.chain_growth_per_s(1 - alpha_, net.delay_s) : std::nan(""), "1/s",
        "honest chain growth with a fixed delay D (many honest nodes): proof of work lambda_h / (1 + "
        "lambda_h "
        "D); Praos p_h / (1 + (Delta - 1) p_h) per slot, p_h = phi_f(1 - alpha), Delta = floor(D / slot) + 1",
        "no closed form outside the idealised network with a fixed delay");
    summary.set(key("theory_private_growth_per_s"), production.production_rate_per_s(alpha_), "1/s",
                "the pool's block rate: alpha / block interval (proof of work), phi_f(alpha) / slot (Praos)");
  }

 private:
  double alpha_;
  std::uint16_t index_;
  TableWriter* table_;
  const Network& network_;
};

}  // namespace

void register_private_chain(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "private_chain";
  info.summary =
      "a pool of any size mines only its own chain and publishes it when longer (or at a set time)";
  info.params = {
      param::real("alpha", 0.3, Range{0, 1, true, true}, "hashrate share of the pool"),
      param::integer("fork_depth", 0, between(0, 100000),
                     "blocks below the public head each race starts from"),
      param::choice("publish", "longer", {"longer", "at_time"},
                    "publish when the private chain is strictly longer than the public one the pool knows "
                    "(longer), or publish_after after forking whatever the lengths (at_time)"),
      param::integer(
          "publish_lead", 1, between(1, 1000),
          "longer: publish when the private chain leads the public one the pool knows by this many "
          "blocks"),
      param::duration("publish_after", "1 h", greater_than(0),
                      "at_time: how long after forking the pool publishes"),
      param::integer("give_up_deficit", 100, between(1, 1000000),
                     "abandon a race when the public chain leads by this many blocks"),
  };
  info.tables = {"private_chain_attempts"};
  info.power_param = "alpha";
  info.families = {longest_chain::kFamily};
  info.make = [](const AttackSetup& setup) { return std::make_unique<PrivateChainAttack>(setup); };
  registry.add(std::move(info));
}

}  // namespace dltsim
