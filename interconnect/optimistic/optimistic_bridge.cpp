// Optimistic bridge: a relayer posts a claim on the destination for each lock it sees
// `confirmations` deep on the source; the claim is accepted (minted) `window` after the block that
// holds it unless a watcher's fraud proof is in a block before then (Optimism and Arbitrum: 7 days;
// Nomad: 30 min). Watchers run a node on the destination: when their node sees a claim
// with no lock behind it in a block, they send a fraud proof. A forged claim (the attacker's relayer,
// `forgeries_per_hour`) is stolen value when no proof makes it in time: watchers isolated (partition,
// eclipse or DoS of their nodes on the destination) or their proofs kept out of blocks (censorship,
// flooding) for longer than the window. Watchers are assumed to know which claims are valid (they
// follow the source); honest claims are never challenged.

#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <boost/random/uniform_int_distribution.hpp>

#include "interconnect/builtin_bridges.hpp"
#include "interconnect/common/chain_bridge.hpp"
#include "interconnect/common/confirmation_watcher.hpp"
#include "interconnect/common/poisson_process.hpp"
#include "sim/metrics/statistics.hpp"
#include "sim/scenario/multi_ledger.hpp"

namespace dltsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// How a claim ended.
enum class ClaimOutcome : std::uint8_t {
  accepted = 0,    ///< the window passed without a proof in time: minted
  challenged = 1,  ///< a fraud proof was in a block before the window's end
  unfinished = 2,  ///< the window ends after the run
  not_posted = 3,  ///< the claim is in no block of the final main chain
};

struct ClaimRow {
  std::uint16_t bridge;
  std::uint32_t claim;
  std::uint8_t forged;
  double created_s;
  double claim_block_s;
  double first_proof_block_s;
  std::uint32_t proofs_sent;
  std::uint8_t outcome;
};

TableSchema claim_schema() {
  return {
      "optimistic_claims",
      "Claims through optimistic bridges: the claim's block, the fraud proofs, the outcome",
      sizeof(ClaimRow),
      {DLTSIM_COLUMN(ClaimRow, bridge, "", "index of the bridge in the scenario"),
       DLTSIM_COLUMN(ClaimRow, claim, "", "claim number"),
       DLTSIM_COLUMN(ClaimRow, forged, "", "1 if forged (no lock on the source)"),
       DLTSIM_COLUMN(ClaimRow, created_s, "s", "the lock (honest) or the forged claim was made"),
       DLTSIM_COLUMN(
           ClaimRow, claim_block_s, "s",
           "production time of the main-chain block holding the claim: the window starts (NaN: none)"),
       DLTSIM_COLUMN(ClaimRow, first_proof_block_s, "s",
                     "production time of the first main-chain block holding a fraud proof of it (NaN: none)"),
       DLTSIM_COLUMN(ClaimRow, proofs_sent, "", "fraud proofs the watchers sent"),
       DLTSIM_COLUMN(ClaimRow, outcome, "",
                     "0 accepted (minted), 1 challenged, 2 unfinished, 3 never in a block")}};
}

struct Claim {
  bool forged = false;
  TxId lock = kNoTx;
  TxId claim = kNoTx;
  double created_s = 0;
  std::vector<TxId> proofs;
};

class OptimisticBridge final : public ChainBridge {
 public:
  explicit OptimisticBridge(const BridgeSetup& setup)
      : ChainBridge(setup),
        source_(ledger(0)),
        destination_(ledger(1)),
        window_s_(setup.spec.params.number("window")),
        k_(static_cast<std::uint32_t>(setup.spec.params.integer("confirmations"))),
        relayer_(static_cast<NodeId>(setup.spec.params.integer("relayer"))),
        relayer_destination_(static_cast<NodeId>(setup.spec.params.integer("relayer_destination"))),
        rate_per_s_(setup.spec.params.number("transfers_per_hour") / 3600.0),
        forge_rate_per_s_(setup.spec.params.number("forgeries_per_hour") / 3600.0),
        rng_(setup.seeds.child("transfers").rng()),
        forge_rng_(setup.seeds.child("forgeries").rng()),
        table_(setup.recorder.table(claim_schema())),
        relayer_watch_(source_, relayer_) {
    const auto watchers = static_cast<std::uint32_t>(setup.spec.params.integer("watchers"));
    const auto first = static_cast<NodeId>(setup.spec.params.integer("first_watcher"));
    for (std::uint32_t i = 0; i < watchers; ++i)
      watcher_watch_.push_back(std::make_unique<ConfirmationWatcher>(destination_, first + i));
  }

  void on_start() override {
    relayer_watch_.start();
    for (auto& w : watcher_watch_) w->start();
    make_transfer_ = [this](double now_s) { transfer(now_s); };
    make_forgery_ = [this](double now_s) { forge(now_s); };
    schedule_poisson(source_.runtime(), rng_, rate_per_s_, 0.0, make_transfer_);
    schedule_poisson(destination_.runtime(), forge_rng_, forge_rate_per_s_, 0.0, make_forgery_);
  }

  void finish(Summary& summary, double end_time_s) override {
    const auto on_main = destination_.main_chain_txs();
    const auto block_time = [&](TxId tx) {
      if (tx == kNoTx) return kNaN;
      const auto it = on_main.find(tx);
      return it == on_main.end() ? kNaN : destination_.block(it->second).time_s;
    };
    std::uint64_t counts[2][4] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
    std::vector<double> finality_s, challenge_s;
    for (std::size_t i = 0; i < claims_.size(); ++i) {
      const Claim& c = claims_[i];
      const double posted = block_time(c.claim);
      double first_proof = kNaN;
      for (const TxId p : c.proofs) {
        const double t = block_time(p);
        if (!std::isnan(t) && (std::isnan(first_proof) || t < first_proof)) first_proof = t;
      }
      ClaimOutcome outcome;
      if (std::isnan(posted)) {
        outcome = ClaimOutcome::not_posted;
      } else if (!std::isnan(first_proof) && first_proof < posted + window_s_) {
        outcome = ClaimOutcome::challenged;
        challenge_s.push_back(first_proof - posted);
      } else if (posted + window_s_ > end_time_s) {
        outcome = ClaimOutcome::unfinished;
      } else {
        outcome = ClaimOutcome::accepted;
        if (!c.forged) finality_s.push_back(posted + window_s_ - c.created_s);
      }
      ++counts[c.forged ? 1 : 0][static_cast<int>(outcome)];
      const ClaimRow row{index_,
                         static_cast<std::uint32_t>(i),
                         static_cast<std::uint8_t>(c.forged),
                         c.created_s,
                         posted,
                         first_proof,
                         static_cast<std::uint32_t>(c.proofs.size()),
                         static_cast<std::uint8_t>(outcome)};
      Recorder::append(table_, row);
    }
    summary.set(key("window_s"), window_s_, "s", "challenge window");
    summary.set(key("claims_accepted"), static_cast<std::int64_t>(counts[0][0]), "", "honest claims minted");
    summary.set(key("claims_unfinished"), static_cast<std::int64_t>(counts[0][2]), "",
                "honest claims whose window ends after the run");
    const std::uint64_t forged = counts[1][0] + counts[1][1] + counts[1][2] + counts[1][3];
    summary.set(key("forgeries"), static_cast<std::int64_t>(forged), "", "forged claims the attacker made");
    summary.set(key("forgeries_accepted"), static_cast<std::int64_t>(counts[1][0]), "",
                "forged claims minted: no fraud proof in a block within the window (thefts)");
    summary.set(key("forgeries_challenged"), static_cast<std::int64_t>(counts[1][1]), "",
                "forged claims a fraud proof stopped");
    const ProportionEstimate theft = proportion(counts[1][0], counts[1][0] + counts[1][1]);
    summary.set_number(key("theft_rate"), theft.value, "", "forgeries accepted / forgeries decided",
                       "no forged claim was decided");
    summary.mark_proportions({key("theft_rate")});
    const Estimate fin = sample_mean(finality_s);
    summary.set_number(key("finality_mean_s"), fin.value, "s",
                       "mean time from a lock to its claim's acceptance (cross-chain finality)",
                       "no claim accepted");
    const Estimate ch = sample_mean(challenge_s);
    summary.set_number(key("challenge_delay_mean_s"), ch.value, "s",
                       "mean time from a forged claim's block to the first fraud proof's block",
                       "no claim challenged");
  }

 private:
  void transfer(double now_s) {
    const std::uint32_t nodes = source_.runtime().network().size();
    const NodeId from = boost::random::uniform_int_distribution<NodeId>(0, nodes - 1)(rng_);
    const std::size_t i = claims_.size();
    claims_.push_back(Claim{});
    claims_.back().created_s = now_s;
    claims_.back().lock = send(0, from, from);
    relayer_watch_.watch(claims_[i].lock, k_, [this, i](double) { hand_off(0, 1, [this, i] { post(i); }); });
  }

  void forge(double now_s) {
    const std::size_t i = claims_.size();
    claims_.push_back(Claim{});
    claims_.back().forged = true;
    claims_.back().created_s = now_s;
    post(i);
  }

  // The claim on the destination; the watchers challenge a forged one once their node has it in a block.
  void post(std::size_t i) {
    Claim& c = claims_[i];
    c.claim = send(1, relayer_destination_, relayer_destination_);
    if (!c.forged) return;
    for (auto& w : watcher_watch_) {
      ConfirmationWatcher* watcher = w.get();
      watcher->watch(c.claim, 1, [this, i, watcher](double seen_s) {
        destination_.runtime().call_at(seen_s + reaction_s_, [this, i, watcher] {
          claims_[i].proofs.push_back(send(1, watcher->node(), watcher->node()));
        });
      });
    }
  }

  const ChainLedger& source_;
  const ChainLedger& destination_;
  double window_s_;
  std::uint32_t k_;
  NodeId relayer_;
  NodeId relayer_destination_;
  double rate_per_s_;
  double forge_rate_per_s_;
  Rng rng_;
  Rng forge_rng_;
  TableWriter* table_;
  ConfirmationWatcher relayer_watch_;
  std::vector<std::unique_ptr<ConfirmationWatcher>> watcher_watch_;
  std::function<void(double)> make_transfer_;
  std::function<void(double)> make_forgery_;
  std::vector<Claim> claims_;
};

}  // namespace

void register_optimistic_bridge(BridgeRegistry& registry) {
  BridgeInfo info;
  info.name = "optimistic";
  info.summary =
      "claims accepted after a challenge window unless a watcher's fraud proof is in a block in time";
  info.roles = {"source", "destination"};
  info.tables = {"optimistic_claims"};
  info.params = {
      param::duration("window", "30 min", greater_than(0),
                      "challenge window from the claim's block (deployed: 30 min to 7 days)"),
      param::integer("watchers", 3, between(0, 1000),
                     "watchers; watcher i runs destination node first_watcher + i"),
      param::integer("first_watcher", 1, between(0, 1e9), "destination node of the first watcher"),
      param::integer("confirmations", 6, between(1, 100000), "source blocks the relayer waits for on a lock"),
      param::integer("relayer", 0, between(0, 1e9), "the relayer's source node"),
      param::integer("relayer_destination", 0, between(0, 1e9),
                     "the relayer's destination node (posts claims)"),
      param::real("transfers_per_hour", 6, at_least(0), "honest transfers, a Poisson process"),
      param::real("forgeries_per_hour", 0, at_least(0),
                  "forged claims the attacker posts, a Poisson process"),
  };
  for (ParamSpec& p : chain_bridge_params("locks, claims and fraud proofs"))
    info.params.push_back(std::move(p));
  info.check_ledgers = [](const ParamValues& p, const std::vector<const Scenario*>& ledgers) -> std::string {
    return check_chain_ledgers(
        ledgers, {{"relayer", p.integer("relayer"), 0},
                  {"relayer_destination", p.integer("relayer_destination"), 1},
                  {"first_watcher + watchers - 1",
                   p.integer("first_watcher") + std::max<std::int64_t>(p.integer("watchers") - 1, 0), 1}});
  };
  info.make = [](const BridgeSetup& setup) -> std::unique_ptr<Bridge> {
    return std::make_unique<OptimisticBridge>(setup);
  };
  registry.add(std::move(info));
}

}  // namespace dltsim
