// The bitcoin-2019 network preset. Every figure below is from public measurements as collected in
// the SimBlock simulator's 2019 settings (Aoki et al., "SimBlock: A Blockchain Network Simulator",
// IEEE INFOCOM CryBlock workshop 2019, arXiv:1901.09777) and the studies it cites; the same figures
// are kept in docs/reference/network-bitcoin-2019.md with their sources.

#include "sim/net/network_preset.hpp"

namespace dltsim {

NetworkPreset bitcoin_2019_preset() {
  NetworkPreset p;
  p.name = "bitcoin-2019";
  p.summary = "Bitcoin's 2019 network: 6 regions, measured latencies, bandwidths, node shares, peer degrees";
  p.sources =
      "Aoki et al. 2019, SimBlock (arXiv:1901.09777), 2019 settings: region latencies, per-node bandwidth "
      "(download/upload), node shares per region, Bitcoin outbound-degree distribution (2015); Bitcoin Core "
      "inbound cap 117 (125 connections, 8 outbound).";
  // Download / upload per node, bit/s.
  p.regions = {
      {"NA", 0.3316, 52.0e6, 19.2e6}, {"EU", 0.4998, 40.0e6, 20.7e6}, {"SA", 0.0090, 18.0e6, 5.8e6},
      {"AP", 0.1177, 22.8e6, 15.7e6}, {"JP", 0.0224, 22.8e6, 10.2e6}, {"AU", 0.0195, 29.9e6, 11.3e6},
  };
  // One-way latency, milliseconds, converted to seconds below.
  const double latency_ms[6][6] = {
      {32, 124, 184, 198, 151, 189}, {124, 11, 227, 237, 252, 294}, {184, 227, 88, 325, 301, 322},
      {198, 237, 325, 85, 58, 198},  {151, 252, 301, 58, 12, 126},  {189, 294, 322, 198, 126, 16},
  };
  for (const auto& row : latency_ms) {
    std::vector<double> r;
    for (double ms : row) r.push_back(ms / 1000.0);
    p.latency_s.push_back(r);
  }
  // SimBlock draws latencies from Pareto(scale = table - 5 ms, shape = 0.2 x table), mean = table.
  p.latency_model = LatencyModel::pareto;
  p.outbound_degree_cdf = {0.025, 0.050, 0.075, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60,  0.70,
                           0.80,  0.85,  0.90,  0.95, 0.97, 0.97, 0.98, 0.99, 0.995, 1.0};
  p.max_inbound = 117;
  // Internet placement. Calibrated: the 13 largest ASes host 30 % of the nodes and the 100 largest
  // prefixes 20 % (Apostolaki, Zohar, Vanbever, IEEE S&P 2017, measured on the reachable network in
  // 2015-2016). Synthetic: the number of ASes (1,000), the Zipf form (exponent 0.8556 solves
  // H(13, a) / H(1000, a) = 0.30), equal prefixes inside an AS, and placement independent of region.
  p.internet = InternetSpec{1000, 0.8556, 0.002};
  p.internet_sources =
      "calibrated: 13 ASes host 30 % of nodes, 100 prefixes 20 % (Apostolaki, Zohar, Vanbever, IEEE S&P "
      "2017); "
      "synthetic: 1,000 ASes with Zipf sizes (exponent 0.8556), a prefix per 0.2 % of nodes inside an AS, AS "
      "independent of region";
  // Mining pools: share of the 26,778 blocks of January-June 2019 (heights 556,459-583,236) per pool,
  // from the coinbase-tag attribution of Milad et al., "Statistical Confidence in Mining Power
  // Estimates for PoW Blockchains" (arXiv:2403.13736, 2024; data: github.com/Blockchain-Technology-Lab/
  // nc-statistical-confidence, data/bitcoin_daily.csv). That attribution groups pools by owner: Bitmain
  // is BTC.com + AntPool + OKEx's pool. The first half of 2019 only: from July 2019 it credits F2Pool's
  // blocks to Bitmain (F2Pool drops from 11.6 % in June to 0 in August while Bitmain gains as much).
  // The remaining 7.70 % (about 20 small pools, 6.11 % unattributed payout addresses) is not a pool.
  p.pools = {{"Bitmain", 0.2968}, {"F2Pool", 0.1114},  {"Poolin", 0.1005},      {"SlushPool", 0.0972},
             {"BTC.TOP", 0.0872}, {"ViaBTC", 0.0774},  {"Huobi Pool", 0.0396},  {"BitFury", 0.0379},
             {"DPOOL", 0.0276},   {"BitClub", 0.0243}, {"Bitcoin.com", 0.0159}, {"Bixin", 0.0072}};
  p.pool_sources =
      "share of the 26,778 blocks of January-June 2019 per pool, from the coinbase-tag attribution of "
      "Milad et al. 2024 (arXiv:2403.13736; github.com/Blockchain-Technology-Lab/nc-statistical-confidence, "
      "data/bitcoin_daily.csv), which groups BTC.com, AntPool and OKEx under Bitmain; the other 7.70 % "
      "(small pools and unattributed addresses) is left to solo miners. Synthetic: gateways per pool, "
      "their ASes and extra connections (scenario keys)";
  return p;
}

}  // namespace dltsim
