#include "sim/node/peer_manager.hpp"

#include <algorithm>
#include <memory>

#include <boost/random/uniform_int_distribution.hpp>

#include "sim/core/sampling.hpp"
#include "sim/node/runtime.hpp"

namespace dltsim {

namespace {

constexpr std::uint32_t kHeaderBytes = 24;      // P2P message header
constexpr std::uint32_t kAddressBytes = 30;     // time, services, IP, port
constexpr std::uint32_t kMaxRelayedBatch = 10;  // Core relays addr messages of at most 10 addresses
constexpr std::uint32_t kRelayFanout = 2;       // ... each to 2 peers
constexpr int kMaxAttempts = 100;               // draws per round of filling outbound slots

struct AddrPayload final : Payload {
  std::vector<NodeId> addresses;
  std::uint32_t hops;
};

template <class T>
bool erase_value(std::vector<T>& v, const T& x) {
  const auto it = std::find(v.begin(), v.end(), x);
  if (it == v.end()) return false;
  v.erase(it);
  return true;
}

}  // namespace

PeerManager::PeerManager(Runtime& runtime, const PeerSpec& spec, MessageTypes& types, const SeedTree& seeds)
    : runtime_(runtime),
      spec_(spec),
      addr_(types.add("addr")),
      getaddr_(types.add("getaddr")),
      rng_(seeds.child("draws").rng()),
      unlimited_(runtime.network().size(), false) {
  const std::uint32_t n = runtime.network().size();
  const AddressTableShape shape{spec.new_buckets, spec.tried_buckets, spec.bucket_size};
  const SeedTree keys = seeds.child("keys");
  nodes_.reserve(n);
  for (NodeId i = 0; i < n; ++i)
    nodes_.push_back(NodeState{AddressTable(shape, keys.child(i).seed(), n), {}, {}, {}, false});
}

std::uint32_t PeerManager::group(NodeId address) const {
  const NodeInfo& info = runtime_.network().node(address);
  // The loader requires an Internet placement for `as`, so every node has an AS rank then.
  if (spec_.groups == PeerGroups::as) return info.as_rank;
  return info.prefix != 0 ? info.prefix : address;
}

bool PeerManager::accepts(NodeId address) const {
  return runtime_.online(address) &&
         (unlimited_[address] || runtime_.network().topology().inbound(address) < spec_.max_inbound);
}

std::vector<NodeId> PeerManager::outbound_peers(NodeId node) const {
  std::vector<NodeId> out;
  for (const Outbound& o : nodes_[node].outbound) out.push_back(o.peer);
  return out;
}

void PeerManager::start() {
  const Topology& topo = runtime_.network().topology();
  const auto n = static_cast<std::uint32_t>(nodes_.size());
  // The initial graph stands for connections made before the run: the first `outbound` a node opened
  // relay everything, the rest blocks only; its outbound peers are in "tried".
  for (NodeId i = 0; i < n; ++i) {
    const std::vector<NodeId>& opened = topo.opened(i);
    for (std::size_t k = 0; k < opened.size(); ++k) {
      const bool block_relay = k >= spec_.outbound;
      nodes_[i].outbound.push_back({opened[k], block_relay});
      if (block_relay) {
        nodes_[i].block_relay_peers.push_back(opened[k]);
        nodes_[opened[k]].block_relay_peers.push_back(i);
      }
      nodes_[i].table.add_tried(opened[k], group(opened[k]));
    }
  }
  // Addresses learned before the run (DNS seeds, gossip): uniformly random, self excluded.
  if (n > 1) {
    boost::random::uniform_int_distribution<NodeId> any(0, n - 2);
    for (NodeId i = 0; i < n; ++i) {
      AddressTable& t = nodes_[i].table;
      for (std::uint32_t k = 0; k < spec_.initial_tried; ++k) {
        const NodeId a = any(rng_);
        const NodeId addr = a >= i ? a + 1 : a;
        t.add_tried(addr, group(addr));
      }
      for (std::uint32_t k = 0; k < spec_.initial_new; ++k) {
        const NodeId a = any(rng_);
        const NodeId addr = a >= i ? a + 1 : a;
        t.add_new(addr, group(addr), group(addr));
      }
    }
  }
  if (spec_.feelers) runtime_.call_at(spec_.feeler_interval_s, [this] { run_feelers(); });
}

bool PeerManager::good(NodeId node, const AddressSlot& slot) {
  return nodes_[node].table.good(
      slot, spec_.test_before_evict, [this](NodeId a) { return runtime_.online(a); },
      [this](NodeId a) { return group(a); });
}

void PeerManager::run_feelers() {
  if (!runtime_.producing()) return;  // the run is draining: nothing new is scheduled
  const auto n = static_cast<std::uint32_t>(nodes_.size());
  for (NodeId i = 0; i < n; ++i) {
    if (!runtime_.online(i)) continue;
    const auto pick = nodes_[i].table.select(rng_, true);
    if (!pick || pick->address == i) continue;
    ++stats_.feelers;
    if (runtime_.online(pick->address)) {
      good(i, *pick);
    } else {
      nodes_[i].table.failed(*pick);
    }
  }
  runtime_.call_at(runtime_.now_s() + spec_.feeler_interval_s, [this] { run_feelers(); });
}

void PeerManager::open(NodeId from, NodeId to, bool block_relay, bool gossip) {
  Network& net = runtime_.network();
  net.topology().connect(from, to, net.draw_latency_s(from, to, rng_));
  nodes_[from].outbound.push_back({to, block_relay});
  if (block_relay) {
    nodes_[from].block_relay_peers.push_back(to);
    nodes_[to].block_relay_peers.push_back(from);
  }
  ++stats_.opened;
  runtime_.reconnected(from, to);
  if (gossip && !block_relay) {
    runtime_.send(Message{from, to, getaddr_, kHeaderBytes, nullptr});
    send_addr(from, to, {from}, 0);  // self-announcement
  }
}

bool PeerManager::connect_inbound(NodeId from, NodeId to) {
  if (from == to || !runtime_.online(from) || !accepts(to) || runtime_.network().topology().link(from, to))
    return false;
  open(from, to, false, false);
  return true;
}

void PeerManager::fill_outbound(NodeId node) {
  if (!runtime_.online(node)) return;
  NodeState& st = nodes_[node];
  std::uint32_t full = 0;
  std::uint32_t block = 0;
  for (const Outbound& o : st.outbound) ++(o.block_relay ? block : full);
  const Topology& topo = runtime_.network().topology();
  // Core's netgroup diversity: an address in a group that already has one of the node's outbound
  // peers is skipped (drawn again, no failure counted), so one operator's group gets one slot at most.
  std::vector<std::uint32_t> taken_groups;
  if (spec_.distinct_groups) {
    for (const Outbound& o : st.outbound) taken_groups.push_back(group(o.peer));
  }
  std::vector<AddressSlot> made;
  for (int attempt = 0; attempt < kMaxAttempts && (full < spec_.outbound || block < spec_.block_relay_only);
       ++attempt) {
    const auto pick = st.table.select(rng_, false);
    if (!pick) break;
    const NodeId a = pick->address;
    if (a == node || topo.link(node, a) != nullptr) continue;
    if (spec_.distinct_groups &&
        std::find(taken_groups.begin(), taken_groups.end(), group(a)) != taken_groups.end())
      continue;
    if (!accepts(a)) {
      st.table.failed(*pick);
      ++stats_.failed;
      continue;
    }
    const bool block_relay = full >= spec_.outbound;
    open(node, a, block_relay, true);
    if (spec_.distinct_groups) taken_groups.push_back(group(a));
    ++(block_relay ? block : full);
    made.push_back(*pick);
  }
  // The handshakes complete after the draws: every draw above saw the same tables.
  for (const AddressSlot& s : made) good(node, s);
  if ((full < spec_.outbound || block < spec_.block_relay_only) && !st.retry_pending &&
      runtime_.producing()) {
    st.retry_pending = true;
    runtime_.call_at(runtime_.now_s() + spec_.retry_s, [this, node] {
      nodes_[node].retry_pending = false;
      fill_outbound(node);
    });
  }
}

void PeerManager::close_all(NodeId node) {
  NodeState& st = nodes_[node];
  if (spec_.anchors) {
    st.anchors.clear();
    for (const Outbound& o : st.outbound) {
      if (o.block_relay) st.anchors.push_back(o.peer);
    }
  }
  Topology& topo = runtime_.network().topology();
  const std::vector<PeerLink> peers = topo.peers(node);
  st.outbound.clear();
  st.block_relay_peers.clear();
  for (const PeerLink& p : peers) {
    topo.disconnect(node, p.peer);
    NodeState& ps = nodes_[p.peer];
    const auto it = std::find_if(ps.outbound.begin(), ps.outbound.end(),
                                 [node](const Outbound& o) { return o.peer == node; });
    const bool lost_outbound = it != ps.outbound.end();
    if (lost_outbound) ps.outbound.erase(it);
    erase_value(ps.block_relay_peers, node);
    runtime_.connection_lost(p.peer, node);
    if (lost_outbound) fill_outbound(p.peer);
  }
}

void PeerManager::on_offline(NodeId node) {
  close_all(node);
}

void PeerManager::on_online(NodeId node) {
  NodeState& st = nodes_[node];
  const Topology& topo = runtime_.network().topology();
  const std::vector<NodeId> anchors = std::move(st.anchors);
  st.anchors.clear();
  for (const NodeId a : anchors) {
    if (a != node && topo.link(node, a) == nullptr && accepts(a)) open(node, a, true, false);
  }
  fill_outbound(node);
}

bool PeerManager::is_block_relay(NodeId node, NodeId peer) const {
  const auto& v = nodes_[node].block_relay_peers;
  return std::find(v.begin(), v.end(), peer) != v.end();
}

void PeerManager::send_addr(NodeId from, NodeId to, std::vector<NodeId> addresses, std::uint32_t hops) {
  auto payload = std::make_shared<AddrPayload>();
  const auto size = kHeaderBytes + 1 + kAddressBytes * static_cast<std::uint32_t>(addresses.size());
  payload->addresses = std::move(addresses);
  payload->hops = hops;
  runtime_.send(Message{from, to, addr_, size, std::move(payload)});
}

void PeerManager::send_addresses(NodeId from, NodeId to, std::vector<NodeId> addresses) {
  send_addr(from, to, std::move(addresses), spec_.relay_hops);
}

void PeerManager::relay(NodeId node, NodeId except, NodeId address, std::uint32_t hops) {
  std::vector<NodeId> candidates;
  for (const PeerLink& p : runtime_.network().topology().peers(node)) {
    if (p.peer != except && p.peer != address && !is_block_relay(node, p.peer)) candidates.push_back(p.peer);
  }
  const auto k = std::min<std::size_t>(kRelayFanout, candidates.size());
  shuffle_front(candidates, k, rng_);
  for (std::size_t i = 0; i < k; ++i) send_addr(node, candidates[i], {address}, hops);
}

void PeerManager::on_message(const Message& msg) {
  NodeState& st = nodes_[msg.to];
  if (msg.type == getaddr_) {
    if (is_block_relay(msg.to, msg.from)) return;
    std::vector<NodeId> all;
    st.table.for_each([&all](const AddressSlot& s) { all.push_back(s.address); });
    const auto k = std::min<std::size_t>(spec_.getaddr_addresses, all.size());
    shuffle_front(all, k, rng_);
    all.resize(k);
    if (!all.empty()) send_addr(msg.to, msg.from, std::move(all), spec_.relay_hops);
    return;
  }
  const auto& p = msg.as<AddrPayload>();
  stats_.addresses += p.addresses.size();
  const std::uint32_t source = group(msg.from);
  const bool relayed = p.addresses.size() <= kMaxRelayedBatch && p.hops < spec_.relay_hops;
  const auto n = static_cast<NodeId>(nodes_.size());
  for (const NodeId a : p.addresses) {
    if (a == msg.to || a >= n) continue;
    // Only an address new to this node goes on, which bounds the relay (Core keeps a filter per peer).
    if (st.table.add_new(a, group(a), source) && relayed) relay(msg.to, msg.from, a, p.hops + 1);
  }
}

}  // namespace dltsim
