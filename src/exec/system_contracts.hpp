// Block-level system calls of Cancun and Prague: the contract calls a block makes before and after
// its transactions (EIP-4788, EIP-2935, EIP-7002, EIP-7251) and the EIP-6110 / EIP-7685 requests.
// State tests do not apply these; block execution calls them around its transactions.
#pragma once

#include <string_view>

#include "common/revision.hpp"
#include "common/types.hpp"
#include "exec/block_info.hpp"
#include "exec/transaction_execution.hpp"
#include "state/state.hpp"

#include <optional>
#include <string>
#include <vector>

namespace polyvm {

/// The caller of every system call (EIP-4788): 0xff..fe, an address without a key.
extern const Address kSystemAddress;


/// Gas given to a system call; no one pays for it and it does not count towards the block.
inline constexpr int64_t kSystemCallGas = 30'000'000;

/// EIP-4788: beacon block roots contract.
extern const Address kBeaconRootsAddress;
/// EIP-2935: history storage contract (the serving window of recent block hashes).
extern const Address kHistoryStorageAddress;
/// EIP-7002: withdrawal request predeploy.
extern const Address kWithdrawalRequestAddress;
/// EIP-7251: consolidation request predeploy.
extern const Address kConsolidationRequestAddress;
/// EIP-6110: the mainnet deposit contract (other chains configure their own).
extern const Address kMainnetDepositContractAddress;

/// Runtime code of the system contracts (hex, no 0x), for development genesis states.
extern const std::string_view kBeaconRootsCode;           // EIP-4788
extern const std::string_view kHistoryStorageCode;        // EIP-2935
extern const std::string_view kWithdrawalRequestCode;     // EIP-7002
extern const std::string_view kConsolidationRequestCode;  // EIP-7251

/// EIP-7685 request types.
inline constexpr uint8_t kDepositRequestType = 0x00;        // EIP-6110
inline constexpr uint8_t kWithdrawalRequestType = 0x01;     // EIP-7002
inline constexpr uint8_t kConsolidationRequestType = 0x02;  // EIP-7251

struct SystemCallResult {
    std::optional<std::string> error;  // set: the block is invalid (checked calls only)
    bytes output;                      // the contract's return data
};

/// Runs one system call from kSystemAddress to `target` with kSystemCallGas, value 0, no access
/// list and no fees; the state is then committed like a finished transaction.
/// `checked` (EIP-7002/7251 end-of-block calls): a target without code or a failing call makes
/// the block invalid. Unchecked (EIP-4788/2935 start-of-block calls): a target without code is a
/// no-op and a failing call is ignored (its changes are reverted).
SystemCallResult system_call(State& state, const BlockInfo& block, Revision rev, const Address& target,
                             bytes_view data, bool checked, const uint256& chain_id = 1);

/// Start of a block: EIP-4788 (Cancun on) stores the parent beacon block root, then EIP-2935
/// (Prague on) stores the parent block hash. Both are unchecked calls and never fail the block.
/// `with_history`: false leaves the EIP-2935 call to the caller (apply_history_system_call).
void apply_block_start_system_calls(State& state, const BlockInfo& block, Revision rev,
                                    const Hash32& parent_beacon_block_root, const Hash32& parent_hash,
                                    const uint256& chain_id = 1, bool with_history = true);

/// EIP-2935 (Prague on): the parent's hash into the history contract's ring buffer.
void apply_history_system_call(State& state, const BlockInfo& block, Revision rev, const Hash32& parent_hash,
                               const uint256& chain_id = 1);

/// EIP-2935: the history contract's slot that a block's start-of-block call writes its parent's
/// hash into (the ring buffer's HISTORY_SERVE_WINDOW is 8191 blocks).
inline constexpr uint64_t kHistoryServeWindow = 8191;
inline uint256 history_storage_slot(uint64_t block_number) noexcept {
    return uint256{(block_number - 1) % kHistoryServeWindow};
}

/// EIP-6110: the deposit request data of a block (the concatenation of every DepositEvent of the
/// deposit contract in the block's logs, in order), or nullopt when one of those events does not
/// have the exact ABI layout (the block is then invalid).
std::optional<bytes> parse_deposit_requests(const std::vector<Log>& block_logs, const Address& deposit_contract);

struct BlockRequests {
    std::optional<std::string> error;  // set: the block is invalid
    std::vector<bytes> requests;       // each request_type ‖ request_data; empty data is left out
};

/// End of a block (Prague on): deposits from the logs (EIP-6110), then the withdrawal (EIP-7002)
/// and consolidation (EIP-7251) queues are dequeued through checked system calls.
/// `allow_missing_contracts` (t8n, as geth's): a queue contract without code yields no requests
/// instead of invalidating the block, so state-test style pre-states without the predeploys run.
BlockRequests collect_block_requests(State& state, const BlockInfo& block, Revision rev,
                                     const std::vector<Log>& block_logs, const uint256& chain_id = 1,
                                     const Address& deposit_contract = kMainnetDepositContractAddress,
                                     bool allow_missing_contracts = false);

/// EIP-7685: sha256(sha256(r_0) ‖ sha256(r_1) ‖ ...) over the requests that carry data.
Hash32 requests_hash(const std::vector<bytes>& requests);

}  // namespace polyvm
