#include "protocols/nakamoto/nakamoto_consensus.hpp"

#include "protocols/nakamoto/nakamoto_config.hpp"
#include "protocols/nakamoto/proof_of_work.hpp"

namespace dltsim::nakamoto {

NakamotoConsensus::NakamotoConsensus(const ProtocolSetup& setup)
    : LongestChainConsensus(setup, read_config(setup.params),
                            std::make_unique<ProofOfWork>(setup.params.number("block_interval"))) {}

}  // namespace dltsim::nakamoto
