// The gas/time ratio a denial-of-service attacker optimises (issue 13): each case is a contract
// that spends a 30M-gas block's worth of gas on one expensive instruction or precompile in a loop,
// run as one message call (Osaka); reported as milliseconds for the 30M gas and Mgas/s, lowest
// first. The lowest is the worst case found: a block of that instruction takes 30M / (its
// Mgas/s) microseconds. The pre-state is in memory (MemoryDatabase) or, with --db lmdb, in an
// LMDB database (a temporary folder), where every cold account or slot is a B-tree lookup;
// --accounts N first fills it with N accounts and N slots of the contract, so that those
// lookups go through a tree of realistic depth.
//   build/bench/bench_worst_case_gas [--runs N] [--markdown] [--filter TEXT] [--db memory|lmdb] [--accounts N]
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "exec/transaction_execution.hpp"
#include "tools/database_factory.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace polyvm;

namespace {

constexpr int64_t kBlockGas = 30'000'000;

struct Case {
    std::string name;
    bytes code;
    bytes input;  // call data (the loop's operands, copied to memory first where it needs them)
};

/// PUSHn of `value`'s bytes (big-endian, at most 32).
void push(bytes& code, const bytes& value) {
    code.push_back(static_cast<uint8_t>(0x5f + value.size()));
    code.insert(code.end(), value.begin(), value.end());
}
void push(bytes& code, uint64_t value) {
    bytes be;
    for (int shift = 56; shift >= 0; shift -= 8)
        if (!be.empty() || (value >> shift) & 0xff || shift == 0) be.push_back(static_cast<uint8_t>(value >> shift));
    push(code, be);
}

/// CALLDATACOPY(0, 0, CALLDATASIZE), then `body` forever: JUMPDEST body PUSH1 start JUMP.
bytes loop(const bytes& body) {
    bytes code{0x36, 0x5f, 0x5f, 0x37};  // CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY
    const auto start = static_cast<uint8_t>(code.size());
    code.push_back(0x5b);
    code.insert(code.end(), body.begin(), body.end());
    code.insert(code.end(), {0x60, start, 0x56});
    return code;
}

/// STATICCALL(GAS, precompile, 0, input size, output offset, output size); POP.
bytes call_precompile(uint8_t address, size_t input_size, size_t output_size) {
    bytes body;
    push(body, output_size);
    push(body, 0x10000);  // output offset: past the input
    push(body, input_size);
    body.push_back(0x5f);  // input offset 0
    push(body, address);
    body.push_back(0x5a);  // GAS
    body.push_back(0xfa);  // STATICCALL
    body.push_back(0x50);  // POP
    return body;
}

bytes word(uint64_t value) {
    bytes w(32, 0);
    for (int i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(value >> (8 * i));
    return w;
}

bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::vector<Case> cases() {
    std::vector<Case> out;
    const auto op_loop = [&](const std::string& name, bytes body) { out.push_back({name, loop(body), {}}); };
    // Instructions: operands from the stack, results popped.
    op_loop("JUMPDEST loop (dispatch only)", {});
    op_loop("KECCAK256 of 32 bytes", {0x60, 0x20, 0x5f, 0x20, 0x50});
    op_loop("KECCAK256 of 1 KiB", {0x61, 0x04, 0x00, 0x5f, 0x20, 0x50});
    op_loop("BALANCE of a cold account (GAS as address)", {0x5a, 0x31, 0x50});
    op_loop("EXTCODESIZE of a cold account", {0x5a, 0x3b, 0x50});
    op_loop("EXTCODEHASH of a cold account", {0x5a, 0x3f, 0x50});
    op_loop("SLOAD of a cold slot (GAS as key)", {0x5a, 0x54, 0x50});
    op_loop("SLOAD of a warm slot", {0x5f, 0x54, 0x50});
    op_loop("SSTORE of new slots (GAS as key)", {0x5a, 0x5a, 0x55});
    op_loop("TSTORE/TLOAD", {0x5a, 0x5f, 0x5d, 0x5f, 0x5c, 0x50});
    {
        bytes body;
        push(body, bytes(32, 0xff));
        push(body, bytes(32, 0xfd));
        body.push_back(0x0a);  // EXP with a 32-byte exponent
        body.push_back(0x50);
        op_loop("EXP, 32-byte exponent", body);
    }
    {
        bytes body;
        push(body, bytes(32, 0xff));
        push(body, bytes(32, 0xfe));
        push(body, bytes(32, 0xfd));
        body.push_back(0x09);  // MULMOD of full-width operands
        body.push_back(0x50);
        op_loop("MULMOD, 256-bit operands", body);
    }
    {
        bytes body;
        push(body, bytes(31, 0x7f));
        push(body, bytes(32, 0xfd));
        body.push_back(0x04);  // DIV
        body.push_back(0x50);
        op_loop("DIV, 256-bit by 248-bit", body);
    }
    op_loop("MCOPY of 1 KiB", {0x61, 0x04, 0x00, 0x5f, 0x61, 0x04, 0x00, 0x5e});
    op_loop("LOG4 of 1 KiB", {0x5f, 0x5f, 0x5f, 0x5f, 0x61, 0x04, 0x00, 0x5f, 0xa4});
    op_loop("CALL to an empty cold account", {0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5a, 0x5a, 0xf1, 0x50});
    op_loop("CREATE of empty code", {0x5f, 0x5f, 0x5f, 0xf0, 0x50});
    op_loop("BLOCKHASH", {0x60, 0x05, 0x40, 0x50});
    // Precompiles (their input in memory at 0).
    {
        Hash32 secret;
        secret.bytes.fill(0x11);
        const Hash32 hash = keccak256(as_view(std::string_view("worst case")));
        const auto signature = sign_hash(hash, secret);
        bytes input(hash.bytes.begin(), hash.bytes.end());
        const bytes v = word(27 + (signature ? signature->recovery_id : 0));
        input.insert(input.end(), v.begin(), v.end());
        if (signature) {
            const Hash32 r = signature->r.to_hash(), s = signature->s.to_hash();
            input.insert(input.end(), r.bytes.begin(), r.bytes.end());
            input.insert(input.end(), s.bytes.begin(), s.bytes.end());
        }
        out.push_back({"ECRECOVER (0x01)", loop(call_precompile(0x01, 128, 32)), input});
    }
    out.push_back({"SHA256 of 1 KiB (0x02)", loop(call_precompile(0x02, 1024, 32)), bytes(1024, 0xab)});
    out.push_back({"RIPEMD160 of 1 KiB (0x03)", loop(call_precompile(0x03, 1024, 32)), bytes(1024, 0xab)});
    out.push_back({"IDENTITY of 32 bytes (0x04)", loop(call_precompile(0x04, 32, 32)), bytes(32, 0xab)});
    {
        // EIP-7823 bounds each length to 1,024 bytes; odd and even moduli take different paths.
        // (1 KiB operands with a 1 KiB exponent cost more than a block's gas under EIP-7883.)
        const auto modexp = [&](const std::string& name, size_t base_size, size_t exp_size, size_t mod_size, uint8_t mod_last) {
            bytes input = concat({word(base_size), word(exp_size), word(mod_size)});
            input.insert(input.end(), base_size, 0xfe);
            input.insert(input.end(), exp_size, 0xff);
            bytes modulus(mod_size, 0xfd);
            modulus.back() = mod_last;
            input.insert(input.end(), modulus.begin(), modulus.end());
            out.push_back({name, loop(call_precompile(0x05, input.size(), mod_size)), input});
        };
        modexp("MODEXP 32-byte operands, 32-byte exponent (0x05)", 32, 32, 32, 0xfd);
        modexp("MODEXP 1 KiB odd modulus, 32-byte exponent (0x05)", 1024, 32, 1024, 0xfd);
        modexp("MODEXP 1 KiB even modulus, 32-byte exponent (0x05)", 1024, 32, 1024, 0xfc);
        modexp("MODEXP 64-byte odd modulus, 1 KiB exponent (0x05)", 64, 1024, 64, 0xfd);
    }
    {
        const bytes g1 = concat({word(1), word(2)});  // BN254's generator
        out.push_back({"BN254 ECADD (0x06)", loop(call_precompile(0x06, 128, 64)), concat({g1, g1})});
        bytes scalar(32, 0xff);
        scalar[0] = 0x2f;  // below the group order: every bit of the ladder runs
        out.push_back({"BN254 ECMUL, 254-bit scalar (0x07)", loop(call_precompile(0x07, 96, 64)), concat({g1, scalar})});
    }
    {
        bytes input = word(0);  // rounds (4 bytes, big-endian) || h || m || t || final flag
        input.resize(4);
        input[2] = 0x04;  // 1,024 rounds: 1 gas each
        input.resize(213, 0x5a);
        input[212] = 1;
        out.push_back({"BLAKE2F, 1,024 rounds (0x09)", loop(call_precompile(0x09, 213, 64)), input});
    }
    return out;
}

struct Measured {
    std::string name;
    int64_t gas_used = 0;
    double milliseconds = 0;
    std::string status;
};

const Address kCaller = [] {
    Address a;
    a.bytes[19] = 0xca;
    return a;
}();
const Address kContract = [] {
    Address a;
    a.bytes[18] = 0xc0;
    return a;
}();

/// The funded caller, and `accounts` accounts of 1 wei and as many slots of the contract (keys
/// and addresses spread by hashing, as in a real state).
std::unique_ptr<StateDatabase> pre_state(const std::string& kind, size_t accounts) {
    auto db = tools::database_factory(kind)();
    ChangeSet set;
    AccountChange caller;
    caller.address = kCaller;
    caller.account = AccountInfo{};
    caller.account->balance = uint256{1} << 100;
    set.accounts.push_back(caller);
    AccountChange contract;
    contract.address = kContract;
    contract.account = AccountInfo{};
    contract.account->nonce = 1;
    for (size_t i = 0; i < accounts; ++i) {
        const Hash32 h = keccak256(word(i));
        AccountChange filler;
        std::copy(h.bytes.begin(), h.bytes.begin() + 20, filler.address.bytes.begin());
        filler.account = AccountInfo{};
        filler.account->balance = uint256{1};
        set.accounts.push_back(std::move(filler));
        contract.storage.emplace_back(uint256::from_hash(h), uint256{1});
    }
    std::sort(contract.storage.begin(), contract.storage.end());
    set.accounts.push_back(std::move(contract));
    std::sort(set.accounts.begin(), set.accounts.end(),
              [](const AccountChange& a, const AccountChange& b) { return a.address < b.address; });
    db->commit(set);
    return db;
}

Measured measure(const Case& c, int runs, StateDatabase& db) {
    const Address caller = kCaller, contract = kContract;
    BlockInfo block;
    block.number = 100;
    block.timestamp = 1'800'000'000;
    block.gas_limit = kBlockGas;
    block.base_fee = 7;
    block.prev_randao = Hash32{};
    std::vector<double> times;
    Measured m{c.name, 0, 0, ""};
    for (int r = 0; r < runs; ++r) {
        State state(&db);  // discarded: the pre-state stays as it was for the next run
        const auto start = std::chrono::steady_clock::now();
        const CallOutcome out = execute_code(state, block, Revision::Osaka, caller, contract, c.code, c.input, kBlockGas, uint256{0});
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        m.gas_used = out.gas_used;
        m.status = status_name(out.status);
    }
    std::sort(times.begin(), times.end());
    m.milliseconds = times[times.size() / 2];
    return m;
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 3;
    bool markdown = false;
    std::string filter;
    std::string db_kind = "memory";
    size_t accounts = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = std::max(1, std::atoi(argv[++i]));
        } else if (std::strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
            filter = argv[++i];
        } else if (std::strcmp(argv[i], "--markdown") == 0) {
            markdown = true;
        } else if (std::strcmp(argv[i], "--db") == 0 && i + 1 < argc &&
                   (std::strcmp(argv[i + 1], "memory") == 0 || std::strcmp(argv[i + 1], "lmdb") == 0)) {
            db_kind = argv[++i];
        } else if (std::strcmp(argv[i], "--accounts") == 0 && i + 1 < argc) {
            accounts = std::strtoull(argv[++i], nullptr, 10);
        } else {
            std::fprintf(stderr, "usage: %s [--runs N] [--markdown] [--filter TEXT] [--db memory|lmdb] [--accounts N]\n", argv[0]);
            return 2;
        }
    }
    const auto db = pre_state(db_kind, accounts);
    std::printf("pre-state: %s, %zu accounts and %zu contract slots besides the caller\n", db_kind.c_str(), accounts, accounts);
    std::vector<Measured> results;
    for (const Case& c : cases())
        if (c.name.find(filter) != std::string::npos) results.push_back(measure(c, runs, *db));
    std::sort(results.begin(), results.end(), [](const Measured& a, const Measured& b) {
        return a.gas_used / a.milliseconds < b.gas_used / b.milliseconds;
    });
    if (markdown) std::printf("| case | gas used | ms (median of %d) | Mgas/s | ends |\n|---|---:|---:|---:|---|\n", runs);
    for (const Measured& m : results) {
        const double mgas_per_s = static_cast<double>(m.gas_used) / m.milliseconds / 1000.0;
        if (markdown)
            std::printf("| %s | %lld | %.1f | %.1f | %s |\n", m.name.c_str(), static_cast<long long>(m.gas_used), m.milliseconds, mgas_per_s,
                        m.status.c_str());
        else
            std::printf("%-55s %10lld gas %9.1f ms %8.1f Mgas/s  %s\n", m.name.c_str(), static_cast<long long>(m.gas_used), m.milliseconds,
                        mgas_per_s, m.status.c_str());
    }
    if (!results.empty()) {
        const Measured& worst = results.front();
        std::printf("worst: %s, %.1f Mgas/s: a 30M-gas block of it takes %.0f ms\n", worst.name.c_str(),
                    static_cast<double>(worst.gas_used) / worst.milliseconds / 1000.0,
                    worst.milliseconds * static_cast<double>(kBlockGas) / static_cast<double>(worst.gas_used));
    }
    return 0;
}
