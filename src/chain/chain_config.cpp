#include "chain/chain_config.hpp"

#include "exec/system_contracts.hpp"

#include <charconv>
#include <string>

namespace polyvm {

ChainConfig::ChainConfig() : deposit_contract(kMainnetDepositContractAddress) {}

ChainConfig::ChainConfig(Revision from_genesis) : ChainConfig() { forks = {{from_genesis, 0}}; }

Revision ChainConfig::revision_at(uint64_t timestamp) const noexcept {
    Revision rev = forks.empty() ? Revision::Frontier : forks.front().revision;
    for (const ForkActivation& f : forks)
        if (timestamp >= f.timestamp) rev = f.revision;
    return rev;
}

std::optional<BlobSchedule> ChainConfig::blob_schedule(Revision rev) const noexcept {
    if (rev < Revision::Cancun) return std::nullopt;
    if (const auto it = blob_schedules.find(rev); it != blob_schedules.end()) return it->second;
    return default_blob_schedule(rev);
}

std::optional<ChainConfig> parse_network(std::string_view network) {
    if (const auto single = parse_revision(network)) return ChainConfig(*single);
    // XToYAtTime<N>k
    const auto to = network.find("To");
    const auto at = network.find("AtTime");
    if (to == std::string_view::npos || at == std::string_view::npos || at < to || network.back() != 'k')
        return std::nullopt;
    const auto from_rev = parse_revision(network.substr(0, to));
    const auto to_rev = parse_revision(network.substr(to + 2, at - to - 2));
    const std::string_view thousands = network.substr(at + 6, network.size() - at - 7);
    uint64_t n = 0;
    const auto [end, ec] = std::from_chars(thousands.data(), thousands.data() + thousands.size(), n);
    if (!from_rev || !to_rev || ec != std::errc{} || end != thousands.data() + thousands.size() || *to_rev <= *from_rev)
        return std::nullopt;
    ChainConfig config(*from_rev);
    config.forks.push_back({*to_rev, n * 1000});
    return config;
}

}  // namespace polyvm
