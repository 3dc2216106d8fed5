// Committee (multisignature) bridge: n signers each run a node on the source ledger; a transfer's
// lock there is minted on the destination once m signers, each having seen the lock `confirmations`
// deep at its own node, have signed (published committees: Wormhole 13 of 19, Ronin 5 of 9, Harmony's
// Horizon 2 of 5). Safety rests on fewer than m keys being
// compromised: `compromised` signers (the first ones) also sign the attacker's forged transfers,
// which mint when compromised >= m (Ronin, March 2022: 5 of 9 keys, about $624 million). Liveness
// rests on m signers seeing the source: cut off more than n - m (the partition, DoS or eclipse
// attacks on the source ledger, on the signers' nodes) and minting halts. A lock the source's final
// main chain lacks, minted all the same, is a double mint.

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

struct CommitteeRow {
  std::uint16_t bridge;
  std::uint32_t transfer;
  std::uint8_t forged;
  double created_s;
  std::uint32_t signatures;
  double minted_s;
  double final_s;
  std::uint8_t reverted;
  std::uint8_t stolen;
};

TableSchema committee_schema() {
  return {
      "committee_transfers",
      "Transfers through committee bridges: signatures, mint on the destination, thefts",
      sizeof(CommitteeRow),
      {DLTSIM_COLUMN(CommitteeRow, bridge, "", "index of the bridge in the scenario"),
       DLTSIM_COLUMN(CommitteeRow, transfer, "", "transfer number"),
       DLTSIM_COLUMN(CommitteeRow, forged, "", "1 if the attacker forged it (no lock on the source)"),
       DLTSIM_COLUMN(CommitteeRow, created_s, "s", "when the lock was sent (or the forgery made)"),
       DLTSIM_COLUMN(CommitteeRow, signatures, "", "signatures the aggregator received"),
       DLTSIM_COLUMN(CommitteeRow, minted_s, "s",
                     "when the m-th signature arrived and the mint was sent (NaN: never)"),
       DLTSIM_COLUMN(CommitteeRow, final_s, "s",
                     "when the aggregator's node saw the mint destination_confirmations deep (NaN: never)"),
       DLTSIM_COLUMN(CommitteeRow, reverted, "",
                     "1 if the source's final main chain lacks the lock (forged: 1)"),
       DLTSIM_COLUMN(CommitteeRow, stolen, "", "1 if minted without a lock on the final source chain")}};
}

struct Transfer {
  bool forged = false;
  TxId lock = kNoTx;
  TxId mint = kNoTx;
  double created_s = 0;
  std::uint32_t signatures = 0;
  double minted_s = kNaN;
  double final_s = kNaN;
};

class CommitteeBridge final : public ChainBridge {
 public:
  explicit CommitteeBridge(const BridgeSetup& setup)
      : ChainBridge(setup),
        source_(ledger(0)),
        destination_(ledger(1)),
        n_(static_cast<std::uint32_t>(setup.spec.params.integer("signers"))),
        m_(static_cast<std::uint32_t>(setup.spec.params.integer("threshold"))),
        compromised_(static_cast<std::uint32_t>(setup.spec.params.integer("compromised"))),
        k_(static_cast<std::uint32_t>(setup.spec.params.integer("confirmations"))),
        k_destination_(static_cast<std::uint32_t>(setup.spec.params.integer("destination_confirmations"))),
        first_signer_(static_cast<NodeId>(setup.spec.params.integer("first_signer"))),
        aggregator_(static_cast<NodeId>(setup.spec.params.integer("aggregator"))),
        rate_per_s_(setup.spec.params.number("transfers_per_hour") / 3600.0),
        forge_rate_per_s_(setup.spec.params.number("forgeries_per_hour") / 3600.0),
        rng_(setup.seeds.child("transfers").rng()),
        forge_rng_(setup.seeds.child("forgeries").rng()),
        table_(setup.recorder.table(committee_schema())),
        aggregator_watch_(destination_, aggregator_) {
    for (std::uint32_t i = 0; i < n_; ++i)
      signer_watch_.push_back(std::make_unique<ConfirmationWatcher>(source_, first_signer_ + i));
  }

  void on_start() override {
    for (auto& w : signer_watch_) w->start();
    aggregator_watch_.start();
    make_transfer_ = [this](double now_s) { transfer(now_s); };
    make_forgery_ = [this](double now_s) { forge(now_s); };
    schedule_poisson(source_.runtime(), rng_, rate_per_s_, 0.0, make_transfer_);
    if (compromised_ > 0)
      schedule_poisson(source_.runtime(), forge_rng_, forge_rate_per_s_, 0.0, make_forgery_);
  }

  void finish(Summary& summary, double /*end_time_s*/) override {
    const auto on_main = source_.main_chain_txs();
    std::uint64_t honest = 0, minted = 0, finalised = 0, double_mints = 0, forged = 0, forged_minted = 0;
    std::vector<double> mint_delay_s;
    for (std::size_t i = 0; i < transfers_.size(); ++i) {
      const Transfer& t = transfers_[i];
      const bool is_minted = !std::isnan(t.minted_s);
      const bool reverted = t.forged || on_main.count(t.lock) == 0;
      const bool stolen = is_minted && reverted;
      if (t.forged) {
        ++forged;
        forged_minted += is_minted ? 1 : 0;
      } else {
        ++honest;
        if (is_minted) {
          ++minted;
          mint_delay_s.push_back(t.minted_s - t.created_s);
        }
        double_mints += stolen ? 1 : 0;
      }
      finalised += !std::isnan(t.final_s) && !t.forged ? 1 : 0;
      const CommitteeRow row{index_,
                             static_cast<std::uint32_t>(i),
                             static_cast<std::uint8_t>(t.forged),
                             t.created_s,
                             t.signatures,
                             t.minted_s,
                             t.final_s,
                             static_cast<std::uint8_t>(reverted),
                             static_cast<std::uint8_t>(stolen)};
      Recorder::append(table_, row);
    }
    summary.set(key("signers"), static_cast<std::int64_t>(n_), "", "committee size n");
    summary.set(key("threshold"), static_cast<std::int64_t>(m_), "", "signatures a mint needs, m");
    summary.set(key("compromised"), static_cast<std::int64_t>(compromised_), "",
                "signers whose keys the attacker holds");
    summary.set(key("transfers"), static_cast<std::int64_t>(honest), "",
                "honest transfers locked on the source");
    summary.set(key("minted"), static_cast<std::int64_t>(minted), "",
                "honest transfers minted on the destination");
    summary.set(key("finalised"), static_cast<std::int64_t>(finalised), "",
                "honest mints the aggregator's node saw destination_confirmations deep");
    summary.set(key("double_mints"), static_cast<std::int64_t>(double_mints), "",
                "honest transfers minted whose lock the source's final main chain lacks");
    summary.set(key("forgeries"), static_cast<std::int64_t>(forged), "",
                "forged transfers the attacker tried");
    summary.set(key("forged_mints"), static_cast<std::int64_t>(forged_minted), "",
                "forged transfers minted (compromised >= threshold)");
    const ProportionEstimate f = proportion(forged_minted, forged);
    summary.set_number(key("forgery_success_rate"), f.value, "", "forged mints / forgeries",
                       "no forgery was tried");
    summary.mark_proportions({key("forgery_success_rate")});
    const Estimate delay = sample_mean(mint_delay_s);
    summary.set_number(key("mint_delay_mean_s"), delay.value, "s",
                       "mean time from a lock to its mint (m signatures at the aggregator)",
                       "no transfer was minted");
  }

 private:
  void transfer(double now_s) {
    // Users are the nodes outside the committee.
    const std::uint32_t nodes = source_.runtime().network().size();
    NodeId from = boost::random::uniform_int_distribution<NodeId>(0, nodes - n_ - 1)(rng_);
    if (from >= first_signer_) from += n_;
    const std::size_t i = transfers_.size();
    transfers_.push_back(Transfer{});
    transfers_.back().created_s = now_s;
    transfers_.back().lock = send(0, from, first_signer_);
    for (std::uint32_t s = 0; s < n_; ++s) {
      signer_watch_[s]->watch(transfers_[i].lock, k_, [this, i](double) { sign(i); });
    }
  }

  // The compromised signers sign a transfer that has no lock, at once.
  void forge(double now_s) {
    const std::size_t i = transfers_.size();
    transfers_.push_back(Transfer{});
    transfers_.back().forged = true;
    transfers_.back().created_s = now_s;
    for (std::uint32_t s = 0; s < compromised_; ++s) sign(i);
  }

  // A signature travels to the aggregator on the destination.
  void sign(std::size_t i) {
    hand_off(0, 1, [this, i] {
      Transfer& t = transfers_[i];
      if (++t.signatures != m_) return;
      t.minted_s = destination_.runtime().now_s();
      t.mint = send(1, aggregator_, aggregator_);
      aggregator_watch_.watch(t.mint, k_destination_,
                              [this, i](double final_s) { transfers_[i].final_s = final_s; });
    });
  }

  const ChainLedger& source_;
  const ChainLedger& destination_;
  std::uint32_t n_;
  std::uint32_t m_;
  std::uint32_t compromised_;
  std::uint32_t k_;
  std::uint32_t k_destination_;
  NodeId first_signer_;
  NodeId aggregator_;
  double rate_per_s_;
  double forge_rate_per_s_;
  Rng rng_;
  Rng forge_rng_;
  TableWriter* table_;
  ConfirmationWatcher aggregator_watch_;
  std::vector<std::unique_ptr<ConfirmationWatcher>> signer_watch_;
  std::function<void(double)> make_transfer_;
  std::function<void(double)> make_forgery_;
  std::vector<Transfer> transfers_;
};

}  // namespace

void register_committee_bridge(BridgeRegistry& registry) {
  BridgeInfo info;
  info.name = "committee";
  info.summary =
      "m of n signers watch the source and sign mints on the destination (Ronin 5 of 9, Wormhole 13 of 19)";
  info.roles = {"source", "destination"};
  info.tables = {"committee_transfers"};
  info.params = {
      param::integer("signers", 9, between(1, 1000),
                     "committee size n; signer i runs source node first_signer + i"),
      param::integer("threshold", 5, between(1, 1000), "signatures a mint needs, m (<= n)"),
      param::integer("compromised", 0, between(0, 1000),
                     "signers (the first ones) whose keys the attacker holds: they also sign its forgeries"),
      param::integer("first_signer", 0, between(0, 1e9), "source node of the first signer"),
      param::integer("aggregator", 0, between(0, 1e9),
                     "destination node that collects signatures and sends mints"),
      param::integer("confirmations", 6, between(1, 100000), "source blocks each signer waits for on a lock"),
      param::integer("destination_confirmations", 6, between(1, 100000),
                     "destination blocks that make a mint final"),
      param::real("transfers_per_hour", 6, at_least(0), "honest transfers, a Poisson process"),
      param::real(
          "forgeries_per_hour", 1, at_least(0),
          "forged transfers the attacker tries when it holds keys (compromised > 0), a Poisson process"),
  };
  for (ParamSpec& p : chain_bridge_params("locks and mints")) info.params.push_back(std::move(p));
  info.check = [](const ParamValues& p) -> std::string {
    if (p.integer("threshold") > p.integer("signers"))
      return fmt::format("threshold {} exceeds signers {}: no mint could ever happen", p.integer("threshold"),
                         p.integer("signers"));
    if (p.integer("compromised") > p.integer("signers"))
      return fmt::format("compromised {} exceeds signers {}", p.integer("compromised"), p.integer("signers"));
    return "";
  };
  info.check_ledgers = [](const ParamValues& p, const std::vector<const Scenario*>& ledgers) -> std::string {
    if (p.integer("signers") >= static_cast<std::int64_t>(ledgers[0]->network.nodes))
      return fmt::format("signers: {} leave no user node on a source of {} nodes", p.integer("signers"),
                         ledgers[0]->network.nodes);
    return check_chain_ledgers(
        ledgers, {{"first_signer + signers - 1", p.integer("first_signer") + p.integer("signers") - 1, 0},
                  {"aggregator", p.integer("aggregator"), 1}});
  };
  info.make = [](const BridgeSetup& setup) -> std::unique_ptr<Bridge> {
    return std::make_unique<CommitteeBridge>(setup);
  };
  registry.add(std::move(info));
}

}  // namespace dltsim
