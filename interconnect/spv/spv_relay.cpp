// Light-client (SPV) relay: relayers, each running a node on both ledgers, submit the source's block
// headers to the destination as transactions (BTC Relay on Ethereum, 2016; the Rainbow and IBC light
// clients); the destination's light client, as the minter's node sees it, follows the longest chain
// of submitted headers whose parents it has. A transfer's lock mints on the destination once the
// light client's chain holds it `confirmations` deep. Liveness rests on the relayers: with none
// submitting (their nodes cut off, DoS), the light client stalls and so do mints. Safety rests on the
// source: a lock the final source main chain lacks, minted all the same, is a double mint (a
// private-chain attack on the source, double_spending with payment: transaction to the bridge's
// lock address, composes here as with the custodial bridge).

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>
#include <unordered_set>
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

struct SpvRow {
  std::uint16_t bridge;
  std::uint32_t transfer;
  std::uint8_t external;
  double created_s;
  double minted_s;
  std::uint8_t reverted;
  std::uint8_t stolen;
};

TableSchema spv_schema() {
  return {
      "spv_transfers",
      "Transfers through light-client relays: lock on the source, mint on the destination",
      sizeof(SpvRow),
      {DLTSIM_COLUMN(SpvRow, bridge, "", "index of the bridge in the scenario"),
       DLTSIM_COLUMN(SpvRow, transfer, "", "transfer number"),
       DLTSIM_COLUMN(SpvRow, external, "",
                     "1 if another wallet than the bridge's users locked it (an attack's)"),
       DLTSIM_COLUMN(SpvRow, created_s, "s", "when the lock was created"),
       DLTSIM_COLUMN(SpvRow, minted_s, "s",
                     "when the light client held it confirmations deep and the mint was sent (NaN: never)"),
       DLTSIM_COLUMN(SpvRow, reverted, "", "1 if the source's final main chain lacks the lock"),
       DLTSIM_COLUMN(SpvRow, stolen, "", "1 if minted and reverted (a double mint)")}};
}

struct Transfer {
  TxId lock = kNoTx;
  bool external = false;
  double created_s = 0;
  double minted_s = kNaN;
};

class SpvRelay final : public ChainBridge {
 public:
  explicit SpvRelay(const BridgeSetup& setup)
      : ChainBridge(setup),
        source_(ledger(0)),
        destination_(ledger(1)),
        k_(static_cast<std::uint32_t>(setup.spec.params.integer("confirmations"))),
        lock_address_(static_cast<NodeId>(setup.spec.params.integer("lock_address"))),
        minter_(static_cast<NodeId>(setup.spec.params.integer("minter"))),
        header_bytes_(static_cast<std::uint32_t>(setup.spec.params.number("header_tx_size"))),
        rate_per_s_(setup.spec.params.number("transfers_per_hour") / 3600.0),
        rng_(setup.seeds.child("transfers").rng()),
        table_(setup.recorder.table(spv_schema())),
        minter_watch_(destination_, minter_) {
    const auto relayers = static_cast<std::uint32_t>(setup.spec.params.integer("relayers"));
    for (std::uint32_t i = 0; i < relayers; ++i) {
      relayers_.push_back(
          Relayer{static_cast<NodeId>(setup.spec.params.integer("first_relayer") + i),
                  static_cast<NodeId>(setup.spec.params.integer("first_relayer_destination") + i)});
    }
  }

  void on_start() override {
    minter_watch_.start();
    for (const Relayer& r : relayers_) {
      source_.layer().observe_head(r.source_node,
                                   [this, r](NodeId, BlockId head, double) { submit(r, head); });
    }
    // Locks other wallets send to the bridge (an attacker's deposit) are transfers too.
    source_.layer().observe_arrivals([this](TxId tx, NodeId node, NodeId, double) {
      if (node != lock_address_ || source_.layer().table().get(tx).payee != lock_address_ ||
          tracked_.count(tx))
        return;
      add_transfer(tx, source_.layer().table().get(tx).created_s, true);
    });
    make_transfer_ = [this](double now_s) {
      // Users are the nodes that relay no headers and hold no lock address.
      const std::uint32_t nodes = source_.runtime().network().size();
      NodeId from = 0;
      do {
        from = boost::random::uniform_int_distribution<NodeId>(0, nodes - 1)(rng_);
      } while (is_relayer(from) || from == lock_address_);
      const TxId tx = send(0, from, lock_address_);
      add_transfer(tx, now_s, false);
    };
    schedule_poisson(source_.runtime(), rng_, rate_per_s_, 0.0, make_transfer_);
  }

  void finish(Summary& summary, double /*end_time_s*/) override {
    const auto on_main = source_.main_chain_txs();
    std::uint64_t minted = 0, stolen_count = 0, external = 0, external_minted = 0, external_stolen = 0;
    std::vector<double> delay_s;
    for (std::size_t i = 0; i < transfers_.size(); ++i) {
      const Transfer& t = transfers_[i];
      const bool is_minted = !std::isnan(t.minted_s);
      const bool reverted = on_main.count(t.lock) == 0;
      const bool stolen = is_minted && reverted;
      minted += is_minted ? 1 : 0;
      stolen_count += stolen ? 1 : 0;
      if (is_minted && !t.external) delay_s.push_back(t.minted_s - t.created_s);
      if (t.external) {
        ++external;
        external_minted += is_minted ? 1 : 0;
        external_stolen += stolen ? 1 : 0;
      }
      const SpvRow row{
          index_,     static_cast<std::uint32_t>(i),       static_cast<std::uint8_t>(t.external), t.created_s,
          t.minted_s, static_cast<std::uint8_t>(reverted), static_cast<std::uint8_t>(stolen)};
      Recorder::append(table_, row);
    }
    summary.set(key("headers_submitted"), static_cast<std::int64_t>(header_txs_.size()), "",
                "source headers the relayers submitted to the destination");
    summary.set(key("light_client_height"), static_cast<std::int64_t>(lc_height_), "blocks",
                "height of the light client's best chain at the end, as the minter's node sees it");
    summary.set(key("transfers"), static_cast<std::int64_t>(transfers_.size()), "", "locks on the source");
    summary.set(key("minted"), static_cast<std::int64_t>(minted), "", "locks minted on the destination");
    summary.set(key("double_mints"), static_cast<std::int64_t>(stolen_count), "",
                "minted locks the source's final main chain lacks (thefts)");
    summary.set(key("external_minted"), static_cast<std::int64_t>(external_minted), "",
                "locks by other wallets (an attack's) minted");
    summary.set(key("external_double_mints"), static_cast<std::int64_t>(external_stolen), "",
                "of them, reverted");
    const ProportionEstimate ext = proportion(external_stolen, external_minted);
    summary.set_number(key("external_theft_rate"), ext.value, "", "external double mints / external mints",
                       "no external lock was minted");
    summary.mark_proportions({key("external_theft_rate")});
    summary.set(key("external_transfers"), static_cast<std::int64_t>(external), "", "locks by other wallets");
    const Estimate delay = sample_mean(delay_s);
    summary.set_number(key("mint_delay_mean_s"), delay.value, "s",
                       "mean time from a lock to its mint (headers relayed and k deep in the light client)",
                       "no transfer was minted");
  }

 private:
  struct Relayer {
    NodeId source_node;
    NodeId destination_node;
  };

  bool is_relayer(NodeId node) const {
    for (const Relayer& r : relayers_) {
      if (r.source_node == node) return true;
    }
    return false;
  }

  void add_transfer(TxId tx, double created_s, bool external) {
    tracked_.insert(tx);
    pending_.push_back(transfers_.size());
    transfers_.push_back(Transfer{tx, external, created_s, kNaN});
  }

  // A relayer's new head: it submits the headers of its chain not submitted yet (it reads the light
  // client's contract first, so no header goes twice), oldest first.
  void submit(const Relayer& r, BlockId head) {
    std::vector<BlockId> fresh;
    for (BlockId b = head; b != 0 && !submitted_.count(b); b = source_.block(b).parent) fresh.push_back(b);
    for (auto it = fresh.rbegin(); it != fresh.rend(); ++it) {
      const BlockId b = *it;
      submitted_.insert(b);
      hand_off(0, 1, [this, r, b] {
        const TxId tx = destination_.layer().create(r.destination_node, destination_.runtime().now_s(),
                                                    header_bytes_, fee_rate_);
        header_txs_.emplace(tx, b);
        destination_.deliver(r.destination_node, tx);
        minter_watch_.watch(tx, 1, [this, b](double now_s) { learn(b, now_s); });
      });
    }
  }

  // The light client takes a header whose transaction is in a block the minter's node has.
  void learn(BlockId b, double now_s) {
    if (!known_.insert(b).second) return;
    // Extend the best chain with b and any known descendants waiting for it.
    std::vector<BlockId> stack{b};
    while (!stack.empty()) {
      const BlockId x = stack.back();
      stack.pop_back();
      const BlockId parent = source_.block(x).parent;
      if (parent != 0 && !connected_.count(parent)) {
        orphans_[parent].push_back(x);
        continue;
      }
      connected_.insert(x);
      if (source_.block(x).height > lc_height_) {
        lc_height_ = source_.block(x).height;
        lc_head_ = x;
      }
      if (auto it = orphans_.find(x); it != orphans_.end()) {
        for (const BlockId c : it->second) stack.push_back(c);
        orphans_.erase(it);
      }
    }
    check_mints(now_s);
  }

  void check_mints(double now_s) {
    if (lc_head_ == 0 || pending_.empty()) return;
    // The last k - 1 blocks of the light client's chain hold locks not yet deep enough: look below
    // them, down to the blocks made before the oldest pending lock (they cannot hold it).
    double oldest_s = std::numeric_limits<double>::infinity();
    for (const std::size_t p : pending_) oldest_s = std::min(oldest_s, transfers_[p].created_s);
    std::unordered_set<TxId> deep_enough_or_more;
    BlockId b = lc_head_;
    for (std::uint32_t d = 1; b != 0 && source_.block(b).time_s >= oldest_s;
         ++d, b = source_.block(b).parent) {
      if (d < k_) continue;
      for (const TxId tx : source_.layer().block(b)) deep_enough_or_more.insert(tx);
    }
    for (std::size_t p = 0; p < pending_.size();) {
      Transfer& t = transfers_[pending_[p]];
      if (deep_enough_or_more.count(t.lock)) {
        t.minted_s = now_s;
        send(1, minter_, minter_);
        pending_[p] = pending_.back();
        pending_.pop_back();
      } else {
        ++p;
      }
    }
  }

  const ChainLedger& source_;
  const ChainLedger& destination_;
  std::uint32_t k_;
  NodeId lock_address_;
  NodeId minter_;
  std::uint32_t header_bytes_;
  double rate_per_s_;
  Rng rng_;
  TableWriter* table_;
  ConfirmationWatcher minter_watch_;
  std::vector<Relayer> relayers_;
  std::function<void(double)> make_transfer_;
  std::vector<Transfer> transfers_;
  std::vector<std::size_t> pending_;
  std::unordered_set<TxId> tracked_;
  std::unordered_set<BlockId> submitted_;
  std::unordered_map<TxId, BlockId> header_txs_;
  std::unordered_set<BlockId> known_;
  std::unordered_set<BlockId> connected_;
  std::unordered_map<BlockId, std::vector<BlockId>> orphans_;
  BlockId lc_head_ = 0;
  std::uint32_t lc_height_ = 0;
};

}  // namespace

void register_spv_relay(BridgeRegistry& registry) {
  BridgeInfo info;
  info.name = "spv_relay";
  info.summary =
      "relayers submit source headers to a light client on the destination; locks mint k deep there";
  info.roles = {"source", "destination"};
  info.tables = {"spv_transfers"};
  info.params = {
      param::integer("confirmations", 6, between(1, 100000),
                     "source blocks on the lock's, in the light client's chain, before it mints"),
      param::integer("relayers", 2, between(0, 1000),
                     "relayers; relayer i runs source node first_relayer + i and destination node "
                     "first_relayer_destination + i"),
      param::integer("first_relayer", 0, between(0, 1e9), "source node of the first relayer"),
      param::integer("first_relayer_destination", 0, between(0, 1e9),
                     "destination node of the first relayer"),
      param::integer("lock_address", 0, between(0, 1e9),
                     "source node whose address locks pay (the bridge's)"),
      param::integer("minter", 0, between(0, 1e9),
                     "destination node whose view of the light client decides mints and sends them"),
      param::real("transfers_per_hour", 6, at_least(0), "locks by the bridge's users, a Poisson process"),
      param::size("header_tx_size", "200 B", between(60, 100000), "virtual size of a header submission"),
  };
  for (ParamSpec& p : chain_bridge_params("locks and mints (header submissions pay it too)"))
    info.params.push_back(std::move(p));
  info.check_ledgers = [](const ParamValues& p, const std::vector<const Scenario*>& ledgers) -> std::string {
    const std::int64_t last = std::max<std::int64_t>(p.integer("relayers") - 1, 0);
    if (p.integer("relayers") >= static_cast<std::int64_t>(ledgers[0]->network.nodes))
      return fmt::format("relayers: {} leave no user node on a source of {} nodes", p.integer("relayers"),
                         ledgers[0]->network.nodes);
    return check_chain_ledgers(
        ledgers,
        {{"first_relayer + relayers - 1", p.integer("first_relayer") + last, 0},
         {"first_relayer_destination + relayers - 1", p.integer("first_relayer_destination") + last, 1},
         {"lock_address", p.integer("lock_address"), 0},
         {"minter", p.integer("minter"), 1}});
  };
  info.make = [](const BridgeSetup& setup) -> std::unique_ptr<Bridge> {
    return std::make_unique<SpvRelay>(setup);
  };
  registry.add(std::move(info));
}

}  // namespace dltsim
