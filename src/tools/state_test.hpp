// Loading GeneralStateTest fixtures (see shared/README.md): one file holds several tests, each test
// expands into one case per (fork, indexes) entry of its `post` section.
#pragma once

#include "common/revision.hpp"
#include "common/types.hpp"
#include "common/uint256.hpp"
#include "exec/block_info.hpp"
#include "tools/fixture_values.hpp"
#include "tx/transaction.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polyvm::tools {

/// One account of the `pre` section, as written (the State is built per case from these).
struct PreAccount {
    Address address;
    uint64_t nonce = 0;
    uint256 balance;
    bytes code;
    std::vector<std::pair<uint256, uint256>> storage;  // non-zero slots only: a zero slot is no slot
};

struct CaseIndexes {
    size_t data = 0;
    size_t gas = 0;
    size_t value = 0;
};

struct StateTestCase {
    std::string fork;  // the `post` key as written in the file
    Revision revision = Revision::Frontier;
    CaseIndexes indexes;
    /// The transaction built from the JSON fields; nullopt when a value does not fit its type,
    /// which makes the transaction invalid (a rejection), not the file.
    std::optional<Transaction> tx;
    /// Set when tx is nullopt: the rule of that rejection, under the name the decoder gives the
    /// same too-wide field in txbytes (RLP_INVALID_VALUE, NONCE_OVERFLOW, GASLIMIT_OVERFLOW, ...),
    /// and which field it was.
    std::string tx_invalid_rule;
    std::string tx_invalid_reason;
    Hash32 expected_state_root;
    Hash32 expected_logs_hash;
    std::optional<std::string> expect_exception;
    std::optional<bytes> txbytes;
};

struct StateTest {
    std::string name;
    BlockInfo block;                      // fork-independent part of `env`; see block_for()
    std::optional<Hash32> current_random; // env.currentRandom
    std::map<Revision, BlobSchedule> blob_schedules;  // config.blobSchedule
    uint256 chain_id = 1;                 // config.chainid
    std::vector<PreAccount> pre;
    std::vector<StateTestCase> cases;
    std::map<size_t, std::string> labels;  // _info.labels: data index -> input name (benchmarks)
};

/// Parses the text of a fixture file. `file_label` prefixes every error message.
/// Throws FixtureError for anything that makes the file unusable.
std::vector<StateTest> parse_state_tests(std::string_view json_text, const std::string& file_label);

/// Reads and parses a fixture file; unreadable files are a FixtureError too.
std::vector<StateTest> load_state_test_file(const std::filesystem::path& path, const std::string& file_label);

/// The block context of `test` under `rev`: PREVRANDAO from currentRandom from Paris on (the
/// difficulty before), and the config's blob schedule for that fork where it gives one.
BlockInfo block_for(const StateTest& test, Revision rev);

/// Compares a transaction decoded from `txbytes` with one built from the JSON fields. Returns a
/// description of the first difference, or nullopt when they agree. Signature fields and the
/// sender are not compared (the JSON form carries neither); a legacy transaction's chain id is
/// not compared either (the JSON form cannot say whether EIP-155 was used).
std::optional<std::string> compare_transactions(const Transaction& from_json, const Transaction& decoded);

}  // namespace polyvm::tools
