#pragma once
// Named network descriptions (regions, bandwidths, latencies, peer-degree distribution) taken
// from published measurements, so a scenario can say `preset: bitcoin-2019`.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/enum_names.hpp"
#include "sim/core/registry.hpp"

namespace dltsim {

/// One geographic region of a network.
struct RegionSpec {
  std::string name;         ///< short name ("NA")
  double share = 0;         ///< fraction of nodes in the region
  double download_bps = 0;  ///< per-node access download rate
  double upload_bps = 0;    ///< per-node access upload rate
};

/// How per-connection latencies are drawn from the region-to-region table.
enum class LatencyModel {
  fixed,   ///< every connection between two regions has the table value
  pareto,  ///< each connection draws once from a Pareto law with mean = table value (SimBlock's law)
};
/// The names a scenario writes for each LatencyModel.
const EnumNames<LatencyModel>& latency_model_names();

/// Where nodes sit in the Internet: each node belongs to an autonomous system (AS) and an address
/// prefix. AS sizes follow a Zipf law (rank k holds a share proportional to k^-as_exponent); an AS
/// announces as many prefixes as it needs for each to hold at most prefix_share of all nodes.
struct InternetSpec {
  std::uint32_t ases = 0;   ///< ASes hosting nodes (0: no placement)
  double as_exponent = 1;   ///< Zipf exponent of AS sizes
  double prefix_share = 1;  ///< largest share of all nodes one prefix holds
};

/// A mining pool of a measured hashrate distribution.
struct MiningPool {
  std::string name;  ///< as the source labels it
  double share = 0;  ///< share of the blocks it mined in the source's period
};

/// A complete network description.
struct NetworkPreset {
  std::string name;                                  ///< registry key
  std::string summary;                               ///< one line, for `dltsim list`
  std::string sources;                               ///< citations for every figure
  std::vector<RegionSpec> regions;                   ///< regions, in table order
  std::vector<std::vector<double>> latency_s;        ///< one-way latency between regions, seconds
  LatencyModel latency_model = LatencyModel::fixed;  ///< how connections draw their latency
  std::vector<double> outbound_degree_cdf;           ///< P(outbound degree <= k+1), k = 0..
  std::uint32_t max_inbound = 0;                     ///< inbound connection cap per node
  InternetSpec internet;                             ///< AS and prefix placement (ases 0: none)
  std::string internet_sources;                      ///< where the placement's figures come from
  std::vector<MiningPool> pools;                     ///< measured pool shares, largest first (may be empty)
  std::string pool_sources;                          ///< where the pool shares come from
};

/// Registry of network presets.
using PresetRegistry = Registry<NetworkPreset>;

/// Adds the presets shipped with dltsim (sim/net/presets/).
void register_builtin_presets(PresetRegistry& registry);

}  // namespace dltsim
