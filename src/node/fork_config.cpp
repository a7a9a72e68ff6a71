#include "node/fork_config.hpp"

#include "exec/system_contracts.hpp"
#include "node/rpc_format.hpp"
#include "precompiles/precompiles.hpp"
#include "rpc/error.hpp"

#include <zlib.h>

#include <array>

namespace polyvm::node {
namespace {

/// EIP-7910's names of the precompiles, by address.
struct NamedPrecompile {
    unsigned number;
    const char* name;
};
constexpr std::array<NamedPrecompile, 18> kPrecompileNames = {{
    {0x01, "ECREC"}, {0x02, "SHA256"}, {0x03, "RIPEMD160"}, {0x04, "ID"}, {0x05, "MODEXP"},
    {0x06, "BN254_ADD"}, {0x07, "BN254_MUL"}, {0x08, "BN254_PAIRING"}, {0x09, "BLAKE2F"},
    {0x0a, "KZG_POINT_EVALUATION"}, {0x0b, "BLS12_G1ADD"}, {0x0c, "BLS12_G1MSM"}, {0x0d, "BLS12_G2ADD"},
    {0x0e, "BLS12_G2MSM"}, {0x0f, "BLS12_PAIRING_CHECK"}, {0x10, "BLS12_MAP_FP_TO_G1"},
    {0x11, "BLS12_MAP_FP2_TO_G2"}, {0x100, "P256VERIFY"},
}};

Address precompile_address(unsigned number) {
    Address a{};
    a.bytes[18] = static_cast<uint8_t>(number >> 8);
    a.bytes[19] = static_cast<uint8_t>(number);
    return a;
}

rpc::json fork_json(const ChainConfig& config, const Hash32& genesis_hash, uint64_t genesis_timestamp, const ForkActivation& fork) {
    const Revision rev = fork.revision;
    rpc::json precompiles = rpc::json::object();
    for (const auto& [number, name] : kPrecompileNames)
        if (is_precompile(precompile_address(number), rev)) precompiles[name] = rpc::hex(precompile_address(number));
    rpc::json system_contracts = rpc::json::object();
    system_contracts["BEACON_ROOTS_ADDRESS"] = rpc::hex(kBeaconRootsAddress);  // EIP-4788, Cancun
    if (rev >= Revision::Prague) {
        system_contracts["CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS"] = rpc::hex(kConsolidationRequestAddress);  // EIP-7251
        system_contracts["DEPOSIT_CONTRACT_ADDRESS"] = rpc::hex(config.deposit_contract);                     // EIP-6110
        system_contracts["HISTORY_STORAGE_ADDRESS"] = rpc::hex(kHistoryStorageAddress);                       // EIP-2935
        system_contracts["WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS"] = rpc::hex(kWithdrawalRequestAddress);       // EIP-7002
    }
    rpc::json blobs = nullptr;
    if (const auto schedule = config.blob_schedule(rev))
        blobs = {{"baseFeeUpdateFraction", schedule->base_fee_update_fraction}, {"max", schedule->max}, {"target", schedule->target}};
    const uint32_t hash = fork_hash(config, genesis_hash, genesis_timestamp, fork.timestamp);
    const uint8_t fork_id[4] = {static_cast<uint8_t>(hash >> 24), static_cast<uint8_t>(hash >> 16), static_cast<uint8_t>(hash >> 8),
                                static_cast<uint8_t>(hash)};
    return {{"activationTime", fork.timestamp <= genesis_timestamp ? 0 : fork.timestamp},  // 0: active from genesis
            {"blobSchedule", std::move(blobs)},
            {"chainId", rpc::quantity(config.chain_id)},
            {"forkId", rpc::data_hex(bytes_view{fork_id, 4})},
            {"precompiles", std::move(precompiles)},
            {"systemContracts", std::move(system_contracts)}};
}
}  // namespace

uint32_t fork_hash(const ChainConfig& config, const Hash32& genesis_hash, uint64_t genesis_timestamp, uint64_t timestamp) {
    uLong crc = crc32(0L, genesis_hash.bytes.data(), static_cast<uInt>(genesis_hash.bytes.size()));
    uint64_t previous = genesis_timestamp;
    for (const ForkActivation& fork : config.forks) {
        // Forks active at the genesis are not part of the hash, nor two forks at one time twice.
        if (fork.timestamp <= previous || fork.timestamp > timestamp) continue;
        uint8_t be[8];
        for (int i = 0; i < 8; ++i) be[i] = static_cast<uint8_t>(fork.timestamp >> (56 - 8 * i));
        crc = crc32(crc, be, 8);
        previous = fork.timestamp;
    }
    return static_cast<uint32_t>(crc);
}

rpc::json eth_config(const ChainConfig& config, const Hash32& genesis_hash, uint64_t genesis_timestamp, uint64_t head_timestamp) {
    // The fork in force at the head, and the ones scheduled after it.
    size_t current = 0;
    for (size_t i = 0; i < config.forks.size(); ++i)
        if (config.forks[i].timestamp <= head_timestamp) current = i;
    if (config.forks.empty() || config.forks[current].revision < Revision::Cancun)
        throw rpc::RpcError(rpc::kServerError, "eth_config is not supported before Cancun");
    rpc::json out = {{"current", fork_json(config, genesis_hash, genesis_timestamp, config.forks[current])}, {"next", nullptr}, {"last", nullptr}};
    if (current + 1 < config.forks.size()) {
        out["next"] = fork_json(config, genesis_hash, genesis_timestamp, config.forks[current + 1]);
        out["last"] = fork_json(config, genesis_hash, genesis_timestamp, config.forks.back());
    }
    return out;
}

}  // namespace polyvm::node
