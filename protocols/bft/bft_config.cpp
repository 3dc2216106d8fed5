#include "protocols/bft/bft_config.hpp"

namespace dltsim::bft {

std::vector<ParamSpec> bft_param_specs() {
  return {
      param::integer(
          "max_faulty", 0, between(0, 100000),
          "f, the Byzantine replicas tolerated: quorums are 2f + 1 of n >= 3f + 1 (0: floor((n - 1) / 3))"),
      param::real("tx_rate", 1000, at_least(0),
                  "client transactions per second, a Poisson process (0: none)"),
      param::size("tx_size", "250 B", between(1, 1e7), "size of a client transaction"),
      param::choice("submit_to", "leader", {"leader", "all"},
                    "clients send each transaction to the current leader, or to every replica"),
      param::duration(
          "client_timeout", "2 s", greater_than(0),
          "submit_to leader: a transaction not committed this long after submission is sent to every "
          "replica (PBFT's client retransmission; a silent leader then cannot starve it)"),
      param::size("max_batch_size", "500 KB", between(1, 1e9),
                  "a proposal (batch, block) carries at most this many transaction bytes"),
      param::duration("max_batch_delay", "100 ms", between(0, 1e6),
                      "a leader with transactions waiting proposes at the latest this long after the first "
                      "arrived (PBFT; HotStuff and Tendermint leaders propose at their turn)"),
      param::boolean("cpu_model", true,
                     "replicas handle messages one at a time, each costing signature verifications and "
                     "validation of its bytes (off: messages cost nothing)"),
      param::duration(
          "signature_verify", "80 us", between(0, 1),
          "time to verify one signature: Ed25519 takes 273,364 cycles (Bernstein et al., High-speed "
          "high-security signatures, 2012), 80 us at 3.4 GHz"),
      param::rate("validation_rate", "3.2 Gbit/s", Range{1, 1e15, false, false},
                  "rate at which a replica hashes and checks a proposal's bytes: SHA-256 on one core without "
                  "SHA extensions runs at about 400 MB/s (an assumption; measure for a given CPU)"),
      param::boolean("verify_client_signatures", true,
                     "every transaction in a received proposal costs one signature verification"),
      param::boolean(
          "retransmit", true,
          "replicas recover messages the network lost, as the real protocols do (PBFT: view-change "
          "retransmission and checkpoints for a replica behind; Tendermint: re-gossip of a stalled round and "
          "commits for a replica behind); it acts only once a timeout has fired, so a run without faults "
          "sends nothing more (false: lost messages stay lost)"),
  };
}

BftConfig read_bft_config(const ParamValues& v) {
  BftConfig c;
  c.max_faulty = static_cast<std::uint32_t>(v.integer("max_faulty"));
  c.tx_rate_per_s = v.number("tx_rate");
  c.tx_size_bytes = v.number("tx_size");
  c.submit_to = v.choice("submit_to") == "all" ? SubmitTo::all : SubmitTo::leader;
  c.client_timeout_s = v.number("client_timeout");
  c.max_batch_bytes = v.number("max_batch_size");
  c.max_batch_delay_s = v.number("max_batch_delay");
  c.cpu_model = v.flag("cpu_model");
  c.signature_verify_s = v.number("signature_verify");
  c.validation_rate_bps = v.number("validation_rate");
  c.verify_client_signatures = v.flag("verify_client_signatures");
  c.retransmit = v.flag("retransmit");
  return c;
}

std::uint32_t faults_tolerated(const BftConfig& config, std::uint32_t n) {
  return config.max_faulty > 0 ? config.max_faulty : (n > 0 ? (n - 1) / 3 : 0);
}

}  // namespace dltsim::bft
