// Custodial (exchange) bridge: depositors send a deposit transaction to the exchange on the source
// ledger; the exchange credits it on the destination ledger once its own node sees the deposit
// k blocks deep (the confirmation rule exchanges publish: Kraken, Coinbase and Binance list 2 to 6
// for Bitcoin and tens to thousands for small proof-of-work chains after the 2019-2020 reorgs).
// The credit is a transaction on the destination that the exchange's node there sends after its
// reaction time; the transfer is final when that node sees the credit `destination_confirmations`
// deep. A deposit the source's final main chain does not hold, credited all the same, is a theft:
// the exchange paid out what it never received (a double mint, Ethereum Classic 2019 and 2020,
// Bitcoin Gold 2018 and 2020).

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

struct TransferRow {
  std::uint16_t bridge;
  std::uint32_t transfer;
  std::uint32_t depositor;
  double created_s;
  std::uint32_t deposit_height;
  double credited_s;
  double final_s;
  std::uint8_t reverted;
  std::uint8_t stolen;
  std::uint8_t external;
  double value;
};

TableSchema transfer_schema() {
  return {
      "bridge_transfers",
      "Transfers through custodial bridges: deposit on the source, credit on the destination",
      sizeof(TransferRow),
      {DLTSIM_COLUMN(TransferRow, bridge, "", "index of the bridge in the scenario"),
       DLTSIM_COLUMN(TransferRow, transfer, "", "transfer number"),
       DLTSIM_COLUMN(TransferRow, depositor, "", "source node whose wallet made the deposit"),
       DLTSIM_COLUMN(TransferRow, created_s, "s", "when the deposit was created"),
       DLTSIM_COLUMN(TransferRow, deposit_height, "blocks",
                     "height of the source block holding the deposit on the final main chain (0: none)"),
       DLTSIM_COLUMN(TransferRow, credited_s, "s",
                     "when the exchange saw it k deep and sent the credit (NaN: never)"),
       DLTSIM_COLUMN(TransferRow, final_s, "s",
                     "when its destination node saw the credit destination_confirmations deep (NaN: never)"),
       DLTSIM_COLUMN(TransferRow, reverted, "", "1 if the source's final main chain lacks the deposit"),
       DLTSIM_COLUMN(TransferRow, stolen, "", "1 if credited and reverted: the exchange paid for nothing"),
       DLTSIM_COLUMN(TransferRow, value, "", "value of the deposit (units of the source's asset)")}};
}

struct Transfer {
  NodeId depositor = 0;
  TxId deposit = kNoTx;
  TxId credit = kNoTx;
  double created_s = 0;
  double credited_s = std::numeric_limits<double>::quiet_NaN();
  double final_s = std::numeric_limits<double>::quiet_NaN();
  bool external = false;  // paid by another wallet than the bridge's depositors (an attacker's)
};

class CustodialBridge final : public ChainBridge {
 public:
  explicit CustodialBridge(const BridgeSetup& setup)
      : ChainBridge(setup),
        source_(ledger(0)),
        destination_(ledger(1)),
        k_(static_cast<std::uint32_t>(setup.spec.params.integer("confirmations"))),
        k_destination_(static_cast<std::uint32_t>(setup.spec.params.integer("destination_confirmations"))),
        exchange_(static_cast<NodeId>(setup.spec.params.integer("exchange_node"))),
        exchange_destination_(static_cast<NodeId>(setup.spec.params.integer("exchange_node_destination"))),
        rate_per_s_(setup.spec.params.number("deposits_per_hour") / 3600.0),
        value_(setup.spec.params.number("deposit_value")),
        rng_(setup.seeds.child("deposits").rng()),
        table_(setup.recorder.table(transfer_schema())),
        exchange_watch_(source_, exchange_),
        payout_watch_(destination_, exchange_destination_) {}

  void on_start() override {
    exchange_watch_.start();
    payout_watch_.start();
    // Payments to the exchange that other wallets make (an attack's) are deposits too, from when its
    // node first has them; without confirmations the exchange credits what reaches that node.
    source_.layer().observe_arrivals([this](TxId tx, NodeId node, NodeId, double now_s) {
      if (node == exchange_) on_source_arrival(tx, now_s);
    });
    make_deposit_ = [this](double now_s) { make_deposit(now_s); };
    schedule_poisson(source_.runtime(), rng_, rate_per_s_, 0.0, make_deposit_);
  }

  void finish(Summary& summary, double /*end_time_s*/) override {
    const std::unordered_map<TxId, BlockId> on_main = source_.main_chain_txs();
    std::uint64_t credited = 0, finalised = 0, reverted_credited = 0;
    std::uint64_t external = 0, external_credited = 0, external_thefts = 0;
    double stolen_value = 0;
    std::vector<double> credit_delay_s, finality_s;
    for (std::size_t i = 0; i < transfers_.size(); ++i) {
      const Transfer& t = transfers_[i];
      const bool is_credited = !std::isnan(t.credited_s);
      const auto found = on_main.find(t.deposit);
      const bool reverted = found == on_main.end();
      const bool stolen = is_credited && reverted;
      if (is_credited) {
        ++credited;
        credit_delay_s.push_back(t.credited_s - t.created_s);
      }
      if (!std::isnan(t.final_s)) {
        ++finalised;
        finality_s.push_back(t.final_s - t.created_s);
      }
      if (stolen) {
        ++reverted_credited;
        stolen_value += value_;
      }
      if (t.external) {
        ++external;
        external_credited += is_credited ? 1 : 0;
        external_thefts += stolen ? 1 : 0;
      }
      TransferRow row{};
      row.bridge = index_;
      row.transfer = static_cast<std::uint32_t>(i);
      row.depositor = t.depositor;
      row.created_s = t.created_s;
      row.deposit_height = reverted ? 0 : source_.block(found->second).height;
      row.credited_s = t.credited_s;
      row.final_s = t.final_s;
      row.reverted = reverted ? 1 : 0;
      row.stolen = stolen ? 1 : 0;
      row.external = t.external ? 1 : 0;
      row.value = value_;
      Recorder::append(table_, row);
    }
    summary.set(key("confirmations"), static_cast<std::int64_t>(k_), "blocks",
                "source confirmations the exchange waits for before crediting");
    summary.set(key("deposits"), static_cast<std::int64_t>(transfers_.size()), "", "deposits made");
    summary.set(key("credited"), static_cast<std::int64_t>(credited), "",
                "deposits credited on the destination");
    summary.set(key("finalised"), static_cast<std::int64_t>(finalised), "",
                "credits the exchange's destination node saw destination_confirmations deep");
    summary.set(key("thefts"), static_cast<std::int64_t>(reverted_credited), "",
                "deposits credited that the source's final main chain lacks (double mints)");
    const ProportionEstimate rate = proportion(reverted_credited, credited);
    const std::string none = "no deposit was credited";
    summary.set_number(key("theft_rate"), rate.value, "", "thefts / credited deposits", none);
    summary.set_number(key("theft_rate_ci_low"), rate.ci_low, "", "Wilson 95 % interval, low end", none);
    summary.set_number(key("theft_rate_ci_high"), rate.ci_high, "", "Wilson 95 % interval, high end", none);
    summary.mark_proportions({key("theft_rate"), key("theft_rate_ci_low"), key("theft_rate_ci_high")});
    summary.set(key("external_deposits"), static_cast<std::int64_t>(external), "",
                "payments to the exchange by other wallets than the bridge's depositors (an attack's)");
    summary.set(key("external_credited"), static_cast<std::int64_t>(external_credited), "",
                "of them credited");
    summary.set(key("external_thefts"), static_cast<std::int64_t>(external_thefts), "",
                "of them credited and then reverted on the source");
    const ProportionEstimate ext = proportion(external_thefts, external_credited);
    const std::string no_ext = "no external deposit was credited";
    summary.set_number(key("external_theft_rate"), ext.value, "", "external thefts / external credited",
                       no_ext);
    summary.set_number(key("external_theft_rate_se"), ext.standard_error, "", "binomial standard error of it",
                       "no external deposit was credited, or all or none were stolen");
    summary.mark_proportions({key("external_theft_rate")});
    summary.set(key("value_stolen"), stolen_value, "", "value of the credited deposits that were reverted");
    const Estimate delay = sample_mean(credit_delay_s);
    summary.set_number(key("credit_delay_mean_s"), delay.value, "s",
                       "mean time from a deposit to its credit (k confirmations at the exchange)", none);
    const Estimate fin = sample_mean(finality_s);
    summary.set_number(
        key("finality_mean_s"), fin.value, "s",
        "mean time from a deposit to its credit's finality on the destination (cross-chain finality)",
        "no credit reached destination_confirmations");
    summary.set_number(key("finality_se_s"), fin.standard_error, "s", "standard error of it",
                       "fewer than two credits reached destination_confirmations");
  }

 private:
  void make_deposit(double now_s) {
    const std::uint32_t n = source_.runtime().network().size();
    // Depositors are the other nodes' wallets, drawn uniformly.
    NodeId depositor = boost::random::uniform_int_distribution<NodeId>(0, n - 2)(rng_);
    if (depositor >= exchange_) ++depositor;
    track(send(0, depositor, exchange_), depositor, now_s, false);
  }

  // A deposit: credited once the exchange's node has it k deep (k = 0: on its arrival there).
  void track(TxId deposit, NodeId depositor, double created_s, bool external) {
    const std::size_t i = transfers_.size();
    Transfer t;
    t.depositor = depositor;
    t.created_s = created_s;
    t.deposit = deposit;
    t.external = external;
    transfers_.push_back(t);
    transfer_of_.emplace(deposit, i);
    if (k_ > 0) exchange_watch_.watch(deposit, k_, [this, i](double now_s) { credit(i, now_s); });
  }

  void on_source_arrival(TxId tx, double now_s) {
    const Transaction& paid = source_.layer().table().get(tx);
    if (paid.payee != exchange_) return;
    if (!transfer_of_.count(tx)) track(tx, paid.origin, paid.created_s, true);
    if (k_ == 0) credit(transfer_of_.at(tx), now_s);
  }

  // The credit: a transaction the exchange's destination node sends after its reaction time, final
  // once that node has it destination_confirmations deep.
  void credit(std::size_t transfer, double now_s) {
    transfers_[transfer].credited_s = now_s;
    hand_off(0, 1, [this, transfer] {
      transfers_[transfer].credit = send(1, exchange_destination_, exchange_destination_);
      payout_watch_.watch(transfers_[transfer].credit, k_destination_,
                          [this, transfer](double final_s) { transfers_[transfer].final_s = final_s; });
    });
  }

  const ChainLedger& source_;
  const ChainLedger& destination_;
  std::uint32_t k_;
  std::uint32_t k_destination_;
  NodeId exchange_;
  NodeId exchange_destination_;
  double rate_per_s_;
  double value_;
  Rng rng_;
  std::function<void(double)> make_deposit_;
  TableWriter* table_;
  std::vector<Transfer> transfers_;
  ConfirmationWatcher exchange_watch_;                 // deposits, at the exchange's source node
  ConfirmationWatcher payout_watch_;                   // credits, at its destination node
  std::unordered_map<TxId, std::size_t> transfer_of_;  // deposits tracked
};

}  // namespace

void register_custodial_bridge(BridgeRegistry& registry) {
  BridgeInfo info;
  info.name = "custodial";
  info.summary = "an exchange credits a deposit on the destination after k source confirmations";
  info.roles = {"source", "destination"};
  info.tables = {"bridge_transfers"};
  info.params = {
      param::integer("confirmations", 6, between(0, 100000),
                     "k: source blocks on top of and including the deposit's before the exchange credits it"),
      param::boolean(
          "unconfirmed", false,
          "allow confirmations 0: credit a deposit as soon as the exchange's node has it in its mempool"),
      param::integer("destination_confirmations", 6, between(1, 100000),
                     "destination blocks that make the credit final (cross-chain finality)"),
      param::integer("exchange_node", 0, between(0, 1e9), "the source node the exchange runs"),
      param::integer("exchange_node_destination", 0, between(0, 1e9),
                     "the destination node the exchange runs"),
      param::real("deposits_per_hour", 6, at_least(0), "deposits made, a Poisson process over the run"),
      param::real("deposit_value", 1, greater_than(0),
                  "value of a deposit (what a theft takes), source units"),
  };
  for (ParamSpec& p : chain_bridge_params("deposits and credits")) info.params.push_back(std::move(p));
  info.check = [](const ParamValues& p) -> std::string {
    if (p.integer("confirmations") == 0 && !p.flag("unconfirmed"))
      return "confirmations: 0 credits unconfirmed deposits; set unconfirmed: true to study that";
    return "";
  };
  info.check_ledgers = [](const ParamValues& p, const std::vector<const Scenario*>& ledgers) -> std::string {
    return check_chain_ledgers(ledgers,
                               {{"exchange_node", p.integer("exchange_node"), 0},
                                {"exchange_node_destination", p.integer("exchange_node_destination"), 1}});
  };
  info.make = [](const BridgeSetup& setup) -> std::unique_ptr<Bridge> {
    return std::make_unique<CustodialBridge>(setup);
  };
  registry.add(std::move(info));
}

}  // namespace dltsim
