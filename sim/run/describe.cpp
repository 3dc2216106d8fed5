#include "sim/run/describe.hpp"

#include <iterator>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/units.hpp"

namespace dltsim {

namespace {

void params_text(std::string& out, const std::vector<ParamSpec>& params) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{:<26} {:<12} {:<6} {:<12} {:<24} {}\n", "parameter", "type", "unit", "default",
                 "allowed", "doc");
  for (const ParamSpec& p : params) {
    fmt::format_to(it, "{:<26} {:<12} {:<6} {:<12} {:<24} {}\n", p.name, p.type_name(), p.unit(),
                   p.default_value, p.allowed(), p.doc);
  }
}

template <class Info>
std::string extension_text(const char* kind, const Info& info) {
  std::string out = fmt::format("{} {}: {}\n\n", kind, info.name, info.summary);
  params_text(out, info.params);
  fmt::format_to(std::back_inserter(out), "\ntables: {}\n", fmt::join(info.tables, ", "));
  return out;
}

}  // namespace

std::string describe_text(const Catalog& c, const std::string& name) {
  if (const ProtocolInfo* p = c.protocols.find(name)) return extension_text("protocol", *p);
  if (const AttackInfo* a = c.attacks.find(name)) {
    std::string out = extension_text("attack", *a);
    fmt::format_to(
        std::back_inserter(out), "protocols: {}\n",
        a->protocols.empty() ? std::string("any") : fmt::format("{}", fmt::join(a->protocols, ", ")));
    return out;
  }
  if (const NetworkPreset* n = c.presets.find(name)) {
    std::string out = fmt::format("network preset {}: {}\nsources: {}\n\n", n->name, n->summary, n->sources);
    auto it = std::back_inserter(out);
    fmt::format_to(it, "{:<6} {:<8} {:<14} {:<14}\n", "region", "share", "download", "upload");
    for (const auto& r : n->regions) {
      fmt::format_to(it, "{:<6} {:<8.4f} {:<14} {:<14}\n", r.name, r.share, format_rate(r.download_bps),
                     format_rate(r.upload_bps));
    }
    fmt::format_to(it, "\none-way latency (ms), from row to column:\n");
    for (const auto& row : n->latency_s) {
      for (double l : row) fmt::format_to(it, "{:6.0f}", l * 1e3);
      fmt::format_to(it, "\n");
    }
    fmt::format_to(it, "\noutbound degree cdf (1..{}): {}\nmax inbound: {}\n", n->outbound_degree_cdf.size(),
                   fmt::join(n->outbound_degree_cdf, " "), n->max_inbound);
    if (n->internet.ases > 0) {
      fmt::format_to(
          it, "\nInternet placement: {} ASes, Zipf exponent {}, a prefix per {} of nodes\nsources: {}\n",
          n->internet.ases, n->internet.as_exponent, n->internet.prefix_share, n->internet_sources);
    }
    if (!n->pools.empty()) {
      double pooled = 0;
      fmt::format_to(it, "\nmining pools (consensus.power distribution pools):\n{:<4} {:<32} {}\n", "pool",
                     "name", "share");
      for (std::size_t k = 0; k < n->pools.size(); ++k) {
        fmt::format_to(it, "{:<4} {:<32} {:.4f}\n", k + 1, n->pools[k].name, n->pools[k].share);
        pooled += n->pools[k].share;
      }
      fmt::format_to(it, "rest {:<32} {:.4f}\nsources: {}\n", "(solo miners)", 1 - pooled, n->pool_sources);
    }
    return out;
  }
  throw Error(fmt::format("nothing named {}; protocols: {}; attacks: {}; presets: {}", quote_value(name),
                          c.protocols.names(), c.attacks.names(), c.presets.names()));
}

}  // namespace dltsim
