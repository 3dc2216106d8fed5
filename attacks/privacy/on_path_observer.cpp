// An on-path observer: an AS (or several) that carries the connections of the attack's nodes (select
// them with `nodes: {ases: [...]}`: the nodes whose access network it is) and a share `transit` of
// the other connections (transit it carries for others). The nodes stay honest; the observer reads
// the traffic. On a v1 connection (plaintext) it reads which transactions a node announces or sends,
// like a spy at the far end. On a v2 connection (BIP 324, transactions.v2_share) it sees only each
// message's size and time. What it can still infer, and what this model lets it: a tx message's size
// is the transaction's size plus a fixed overhead, and transaction sizes are public once the
// transaction is (mempools, blocks), so it matches a tx-sized message to the transaction of that
// exact size created in the last `match_window`, when exactly one fits. Announcements (inv) under v2
// say only how many transactions they carry and are not used. Bitcoin Core sends no decoy traffic
// to hide sizes (docs/privacy.md).

#include <algorithm>
#include <memory>

#include "attacks/privacy/observing_attack.hpp"
#include "protocols/longest_chain/tx_relay.hpp"
#include "sim/net/network.hpp"

namespace dltsim {

namespace {

class OnPathObserver final : public attacks::ObservingAttack, public MessageFilter {
 public:
  explicit OnPathObserver(const AttackSetup& setup)
      : ObservingAttack(setup, "on_path_observer"),
        carried_(setup.network.size(), false),
        transit_(setup.spec.params.number("transit")),
        window_s_(setup.spec.params.number("match_window")),
        start_s_(setup.spec.start_s),
        end_s_(setup.spec.end_s),
        label_(setup.label),
        seed_(setup.seeds.child("transit").rng()()) {
    for (const NodeId n : setup.nodes) carried_[n] = true;
  }

  MessageFilter* filter() override { return this; }

  FilterVerdict on_send(Message& msg, double now_s) override {
    const longest_chain::MessageTypeIds& t = consensus_.types();
    if (now_s < start_s_ || now_s >= end_s_) return {};
    if (msg.type != t.tx_inv && msg.type != t.tx && msg.type != t.tx_stem) return {};
    if (!carries(msg.from, msg.to)) return {};
    const TransactionLayer& layer = *consensus_.transactions();
    if (!layer.v2(msg.from, msg.to)) {
      if (msg.type == t.tx_inv) {
        for (const TxId tx : msg.as<longest_chain::TxList>().txs)
          observer_.report(tx, msg.to, msg.from, now_s, ObservationKind::on_path);
      } else {
        observer_.report(msg.as<longest_chain::TxRef>().tx, msg.to, msg.from, now_s,
                         ObservationKind::on_path);
      }
    } else if (msg.type != t.tx_inv) {
      sized_.push_back(Sized{now_s, msg.from, msg.to, msg.size_bytes - longest_chain::kMessageHeaderBytes});
    }
    return {};
  }

  void finish(Summary& summary) override {
    match_sizes(summary);
    ObservingAttack::finish(summary);
  }

 private:
  struct Sized {
    double time_s;
    NodeId from, to;
    std::uint32_t size_bytes;
  };

  bool carries(NodeId a, NodeId b) const {
    if (carried_[a] || carried_[b]) return true;
    if (transit_ <= 0) return false;
    // A connection's route is fixed for the run.
    return pair_uniform(seed_, a, b) < transit_;
  }

  // Encrypted messages become reports when their size names one transaction of the last window.
  void match_sizes(Summary& summary) {
    const TxTable& table = consensus_.transactions()->table();
    std::vector<TxId> by_size(table.size());
    for (TxId i = 0; i < table.size(); ++i) by_size[i] = i;
    std::stable_sort(by_size.begin(), by_size.end(),
                     [&table](TxId a, TxId b) { return table.get(a).size_bytes < table.get(b).size_bytes; });
    std::uint64_t matched = 0;
    for (const Sized& s : sized_) {
      auto lo = std::lower_bound(by_size.begin(), by_size.end(), s.size_bytes,
                                 [&table](TxId a, std::uint32_t v) { return table.get(a).size_bytes < v; });
      TxId found = kNoTx;
      std::size_t fits = 0;
      for (auto it = lo; it != by_size.end() && table.get(*it).size_bytes == s.size_bytes; ++it) {
        const double c = table.get(*it).created_s;
        if (c <= s.time_s && c >= s.time_s - window_s_) {
          found = *it;
          ++fits;
        }
      }
      if (fits == 1) {
        ++matched;
        observer_.report(found, s.to, s.from, s.time_s, ObservationKind::by_size);
      }
    }
    summary.set(observer_key("encrypted_messages"), static_cast<std::uint64_t>(sized_.size()), "",
                "v2 (encrypted) messages carrying a transaction that crossed the observer");
    summary.set(observer_key("encrypted_matched"), matched, "",
                "of them, matched to exactly one transaction by size within match_window");
  }

  std::string observer_key(const char* name) const { return label_ + "_" + name; }

  std::vector<bool> carried_;
  double transit_, window_s_, start_s_, end_s_;
  std::string label_;
  std::uint64_t seed_;
  std::vector<Sized> sized_;
};

}  // namespace

void register_on_path_observer(AttackRegistry& registry) {
  AttackInfo info;
  info.name = "on_path_observer";
  info.summary =
      "an AS that reads the transaction traffic crossing it (v1) or only its sizes and times (v2); origin "
      "estimators and their precision";
  info.params = attacks::observer_params();
  info.params.insert(
      info.params.begin(),
      {param::real("transit", 0, between(0, 1),
                   "share of the connections between other nodes that also cross it"),
       param::duration("match_window", "60 s", Range{0, 86400, true, false},
                       "v2: an encrypted transaction message is matched to a transaction of its "
                       "size created this long before at most")});
  info.tables = origin_observer_tables();
  info.families = {longest_chain::kFamily};
  info.needs_transactions = true;
  info.make = [](const AttackSetup& s) { return std::make_unique<OnPathObserver>(s); };
  registry.add(std::move(info));
}

}  // namespace dltsim
