// An in-memory Host for interpreter tests: accounts, storage with original values (for net gas
// metering), EIP-2929 warm sets, transient storage, and records of calls, logs and
// self-destructs. Nested calls are answered by `call_handler` (default: succeed, use no gas).
#pragma once

#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "evm/host.hpp"
#include "evm/interpreter.hpp"
#include "evm/memory.hpp"

#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace polyvm::test {

struct StorageSlot {
    uint256 original;
    uint256 current;
};

struct MockAccount {
    uint256 balance;
    uint64_t nonce = 0;
    bytes code;
    std::map<uint256, StorageSlot, std::less<>> storage;
};


struct RecordedCall {
    Message msg;
    bytes input;  // copy: msg.input points into the caller's memory
};

struct RecordedLog {
    Address address;
    bytes data;
    std::vector<Hash32> topics;
};

class MockHost : public Host {
public:
    std::unordered_map<Address, MockAccount> accounts;
    std::unordered_map<Address, std::unordered_map<uint256, uint256>> transient;
    TxContext tx;
    std::set<Address> warm_accounts;
    std::set<std::pair<Address, uint256>> warm_slots;
    std::vector<RecordedCall> calls;
    std::vector<RecordedLog> logs;
    std::vector<std::pair<Address, Address>> selfdestructs;
    std::function<ExecutionResult(const Message&)> call_handler;

    MockAccount& account(const Address& a) { return accounts[a]; }

    bool account_exists(const Address& addr) override { return accounts.count(addr) != 0; }

    uint256 get_storage(const Address& addr, const uint256& key) override {
        auto it = accounts.find(addr);
        if (it == accounts.end()) return {};
        auto s = it->second.storage.find(key);
        return s == it->second.storage.end() ? uint256{} : s->second.current;
    }

    StorageStatus set_storage(const Address& addr, const uint256& key, const uint256& value) override {
        StorageSlot& slot = accounts[addr].storage[key];
        const uint256 original = slot.original, current = slot.current;
        slot.current = value;
        // EIP-2200's case analysis.
        if (value == current) return StorageStatus::Assigned;
        if (original == current) {
            if (original.is_zero()) return StorageStatus::Added;
            return value.is_zero() ? StorageStatus::Deleted : StorageStatus::Modified;
        }
        if (!original.is_zero()) {
            if (current.is_zero())
                return value == original ? StorageStatus::DeletedRestored : StorageStatus::DeletedAdded;
            if (value.is_zero()) return StorageStatus::ModifiedDeleted;
            if (value == original) return StorageStatus::ModifiedRestored;
            return StorageStatus::Assigned;
        }
        // original == 0, current != 0
        return value.is_zero() ? StorageStatus::AddedDeleted : StorageStatus::Assigned;
    }

    uint256 get_balance(const Address& addr) override {
        auto it = accounts.find(addr);
        return it == accounts.end() ? uint256{} : it->second.balance;
    }
    size_t get_code_size(const Address& addr) override {
        auto it = accounts.find(addr);
        return it == accounts.end() ? 0 : it->second.code.size();
    }
    Hash32 get_code_hash(const Address& addr) override {
        auto it = accounts.find(addr);
        return it == accounts.end() ? Hash32{} : keccak256(it->second.code);
    }
    size_t copy_code(const Address& addr, size_t offset, std::span<uint8_t> out) override {
        auto it = accounts.find(addr);
        if (it == accounts.end() || offset >= it->second.code.size()) return 0;
        const size_t n = std::min(out.size(), it->second.code.size() - offset);
        std::memcpy(out.data(), it->second.code.data() + offset, n);
        return n;
    }
    bool selfdestruct(const Address& addr, const Address& beneficiary) override {
        bool first = true;
        for (auto& [a, b] : selfdestructs)
            if (a == addr) first = false;
        selfdestructs.emplace_back(addr, beneficiary);
        return first;
    }
    ExecutionResult call(const Message& msg) override {
        calls.push_back({msg, bytes(msg.input.begin(), msg.input.end())});
        calls.back().msg.input = calls.back().input;
        if (call_handler) return call_handler(msg);
        ExecutionResult r;
        r.status = Status::Success;
        r.gas_left = msg.gas;
        return r;
    }
    const TxContext& get_tx_context() override { return tx; }
    Hash32 get_block_hash(uint64_t number) override { return keccak256(std::to_string(number)); }
    void emit_log(const Address& addr, bytes_view data, const Hash32* topics, size_t n) override {
        logs.push_back({addr, bytes(data.begin(), data.end()), std::vector<Hash32>(topics, topics + n)});
    }
    AccessStatus access_account(const Address& addr) override {
        return warm_accounts.insert(addr).second ? AccessStatus::Cold : AccessStatus::Warm;
    }
    AccessStatus access_storage(const Address& addr, const uint256& key) override {
        return warm_slots.insert({addr, key}).second ? AccessStatus::Cold : AccessStatus::Warm;
    }
    uint256 get_transient_storage(const Address& addr, const uint256& key) override {
        auto& m = transient[addr];
        auto it = m.find(key);
        return it == m.end() ? uint256{} : it->second;
    }
    void set_transient_storage(const Address& addr, const uint256& key, const uint256& value) override {
        transient[addr][key] = value;
    }
};

inline bytes code_from_hex(std::string_view hex) {
    auto b = from_hex(hex);
    if (!b) throw std::invalid_argument("bad hex in test");
    return *b;
}

inline Address address_of(uint64_t n) { return uint256{n}.to_address(); }

/// The account the tested code runs as.
inline const Address kSelf = address_of(0x5e1f);
inline const Address kCaller = address_of(0xca11e4);

/// Runs `code` as kSelf with `gas`.
inline ExecutionResult run_code(MockHost& host, Revision rev, bytes_view code, int64_t gas = 1'000'000,
                                const std::function<void(Message&)>& adjust = {}, Tracer* tracer = nullptr) {
    Message msg;
    msg.gas = gas;
    msg.recipient = kSelf;
    msg.code_address = kSelf;
    msg.sender = kCaller;
    if (adjust) adjust(msg);
    return execute(host, rev, msg, code, tracer);
}

inline ExecutionResult run_hex(MockHost& host, Revision rev, std::string_view hex, int64_t gas = 1'000'000,
                               const std::function<void(Message&)>& adjust = {}) {
    const bytes code = code_from_hex(hex);
    return run_code(host, rev, code, gas, adjust);
}

inline int64_t gas_used(const ExecutionResult& r, int64_t gas = 1'000'000) { return gas - r.gas_left; }

// ---- a tiny assembler ----------------------------------------------------------------------

inline bytes push(const uint256& v) {
    const unsigned n = v.byte_length() ? v.byte_length() : 1;
    uint8_t buf[32];
    v.store_be(buf);
    bytes out(1 + n);
    out[0] = static_cast<uint8_t>(0x60 + n - 1);
    std::memcpy(out.data() + 1, buf + 32 - n, n);
    return out;
}
inline bytes push(const Address& a) {
    bytes out(21);
    out[0] = 0x73;
    std::memcpy(out.data() + 1, a.data(), 20);
    return out;
}
inline bytes op(uint8_t o) { return bytes{o}; }
inline bytes operator+(bytes a, const bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}
/// Code that stores the top of the stack at memory 0 and returns those 32 bytes.
inline bytes ret_top() { return push(0) + op(0x52) + push(32) + push(0) + op(0xf3); }

}  // namespace polyvm::test
