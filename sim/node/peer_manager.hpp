#pragma once
// Peer management (network.peers): each node keeps an address table (address_table.hpp), learns
// addresses by gossip (a getaddr on each new full-relay connection, self-announcements relayed a few
// hops), and keeps its outbound slots filled from its table: full-relay and block-relay-only
// connections, anchors reopened after a restart, feelers that move live "new" addresses to "tried".
// A node that goes offline loses its connections; peers that lose an outbound connection open
// another. Protocols see connections come and go through on_reconnected / on_peer_lost.
// The model and what it leaves out of Bitcoin Core: docs/peers.md.

#include <cstdint>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/net/address_table.hpp"
#include "sim/net/message.hpp"
#include "sim/scenario/scenario.hpp"

namespace dltsim {

class Runtime;

/// Counters of the peer manager over a run.
struct PeerStats {
  std::uint64_t opened = 0;     ///< connections opened during the run
  std::uint64_t failed = 0;     ///< connection attempts to addresses that did not accept
  std::uint64_t feelers = 0;    ///< feeler connections tried
  std::uint64_t addresses = 0;  ///< addresses received in addr messages
};

/// Address tables and dynamic connections of every node.
class PeerManager {
 public:
  /// Most addresses in one addr message (Bitcoin Core's limit).
  static constexpr std::size_t kMaxAddrMessage = 1000;
  /// Tables keyed from `seeds`; registers the addr and getaddr message types.
  PeerManager(Runtime& runtime, const PeerSpec& spec, MessageTypes& types, const SeedTree& seeds);

  /// Fills the tables from the initial peer graph and schedules feelers (before the run).
  void start();
  /// True for the message types it handles (the runtime hands them here, not to the protocol).
  bool handles(MessageType type) const { return type == addr_ || type == getaddr_; }
  /// An addr or getaddr message arrived.
  void on_message(const Message& msg);
  /// The node went offline: its connections close (anchors are remembered).
  void on_offline(NodeId node);
  /// The node is back online: anchors first, then outbound slots from its table.
  void on_online(NodeId node);

  /// A node's address table.
  const AddressTable& table(NodeId node) const { return nodes_[node].table; }
  /// The network group of an address: its AS with groups: as; else its prefix with Internet placement,
  /// else the address itself.
  std::uint32_t group(NodeId address) const;
  /// True if `address` accepts a connection now (online and below its inbound cap).
  bool accepts(NodeId address) const;
  /// The node's outbound peers, in opening order.
  std::vector<NodeId> outbound_peers(NodeId node) const;
  /// The anchors a node will reconnect to when it comes back online.
  const std::vector<NodeId>& anchors(NodeId node) const { return nodes_[node].anchors; }
  /// Lifts the inbound cap of a node (attacker nodes accept every connection).
  void set_unlimited_inbound(NodeId node) { unlimited_[node] = true; }
  /// Opens an inbound connection from `from` to `to` if `to` accepts it (an attacker taking slots).
  bool connect_inbound(NodeId from, NodeId to);
  /// Sends an addr message (no relay) from one node to another.
  void send_addresses(NodeId from, NodeId to, std::vector<NodeId> addresses);

  /// Counters so far.
  const PeerStats& stats() const { return stats_; }
  /// The scenario's settings.
  const PeerSpec& spec() const { return spec_; }

 private:
  struct Outbound {
    NodeId peer;
    bool block_relay;
  };
  struct NodeState {
    AddressTable table;
    std::vector<Outbound> outbound;
    std::vector<NodeId> block_relay_peers;  // connections that carry no addresses, either direction
    std::vector<NodeId> anchors;
    bool retry_pending = false;
  };

  void open(NodeId from, NodeId to, bool block_relay, bool gossip);
  void close_all(NodeId node);
  void fill_outbound(NodeId node);
  void run_feelers();
  void relay(NodeId node, NodeId except, NodeId address, std::uint32_t hops);
  void send_addr(NodeId from, NodeId to, std::vector<NodeId> addresses, std::uint32_t hops);
  bool is_block_relay(NodeId node, NodeId peer) const;
  bool good(NodeId node, const AddressSlot& slot);

  Runtime& runtime_;
  PeerSpec spec_;
  MessageType addr_;
  MessageType getaddr_;
  Rng rng_;
  std::vector<NodeState> nodes_;
  std::vector<bool> unlimited_;
  PeerStats stats_;
};

}  // namespace dltsim
