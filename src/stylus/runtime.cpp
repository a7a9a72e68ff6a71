#include "stylus/runtime.hpp"

#include "crypto/keccak.hpp"
#include "evm/gas_constants.hpp"
#include "evm/storage_cost.hpp"
#include "evm/tracer.hpp"
#include "wasm/fuel.hpp"
#include "wasm/host_interface.hpp"
#include "wasm/instance.hpp"
#include "wasm/instruction_names.hpp"
#include "wasm/interpreter.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace polyvm::stylus {

bool ProgramStack::is_reentered(const Address& contract) const {
    return std::count_if(frames_.begin(), frames_.end(), [&](const Frame& f) { return f.contract == contract; }) > 1;
}

uint64_t ProgramStack::open_pages() const {
    uint64_t pages = 0;
    for (const Frame& frame : frames_)
        if (frame.memory) pages += frame.memory->pages();
    return pages;
}

/// Keeps a running program on the stack for the duration of its call.
class ProgramFrameGuard {
public:
    ProgramFrameGuard(ProgramStack& stack, const Address& contract) : stack_(stack) {
        stack_.frames_.push_back({contract, nullptr});
    }
    ~ProgramFrameGuard() { stack_.frames_.pop_back(); }
    ProgramFrameGuard(const ProgramFrameGuard&) = delete;
    ProgramFrameGuard& operator=(const ProgramFrameGuard&) = delete;
    void set_memory(const wasm::MemoryInstance* memory) { stack_.frames_.back().memory = memory; }

private:
    ProgramStack& stack_;
};

namespace {

using wasm::Slot;

// The hooks, in the order of kHookNames.
enum class Hook : uint8_t {
    ReadArgs, WriteResult, ExitEarly, StorageLoadBytes32, StorageCacheBytes32, StorageFlushCache,
    TransientLoadBytes32, TransientStoreBytes32, CallContract, DelegateCallContract, StaticCallContract,
    Create1, Create2, ReadReturnData, ReturnDataSize, EmitLog, AccountBalance, AccountCode,
    AccountCodeSize, AccountCodehash, EvmGasLeft, EvmInkLeft, PayForMemoryGrow, BlockBasefee, Chainid,
    BlockCoinbase, BlockGasLimit, BlockNumber, BlockTimestamp, ContractAddress, MsgReentrant, MsgSender,
    MsgValue, TxGasPrice, TxInkPrice, TxOrigin, NativeKeccak256, MathDiv, MathMod, MathPow, MathAddMod,
    MathMulMod,
};

constexpr std::array<std::string_view, 42> kHookNames = {
    "read_args", "write_result", "exit_early", "storage_load_bytes32", "storage_cache_bytes32",
    "storage_flush_cache", "transient_load_bytes32", "transient_store_bytes32", "call_contract",
    "delegate_call_contract", "static_call_contract", "create1", "create2", "read_return_data",
    "return_data_size", "emit_log", "account_balance", "account_code", "account_code_size",
    "account_codehash", "evm_gas_left", "evm_ink_left", "pay_for_memory_grow", "block_basefee", "chainid",
    "block_coinbase", "block_gas_limit", "block_number", "block_timestamp", "contract_address",
    "msg_reentrant", "msg_sender", "msg_value", "tx_gas_price", "tx_ink_price", "tx_origin",
    "native_keccak256", "math_div", "math_mod", "math_pow", "math_add_mod", "math_mul_mod",
};

std::optional<Hook> find_hook(std::string_view name) {
    for (size_t i = 0; i < kHookNames.size(); ++i)
        if (kHookNames[i] == name) return static_cast<Hook>(i);
    return std::nullopt;
}

// EVM prices of the instructions the hooks stand for (the opcode table's base costs).
constexpr int64_t kBaseGas = 2;      // ADDRESS, CALLER, GAS, ...
constexpr int64_t kVeryLowGas = 3;   // CALLDATACOPY and RETURNDATACOPY before their copy cost
constexpr int64_t kLowGas = 5;       // DIV, MOD
constexpr int64_t kMidGas = 8;       // ADDMOD, MULMOD
constexpr int64_t kExpGas = 10;
constexpr int64_t kKeccakGas = 30;
constexpr int64_t kLogGas = 375;
constexpr int64_t kLogTopicGas = 375;
constexpr int64_t kCreateGas = 32000;
constexpr int64_t kPreBerlinAccountGas = 700;  // BALANCE, EXTCODE*, CALL from Istanbul to Berlin
constexpr int64_t kPreBerlinSloadGas = 800;    // EIP-2200

// Gas beyond this stays outside the executor (so that ink fits 64 bits) and is handed back as is.
constexpr int64_t kMaxGasAsInk = static_cast<int64_t>(UINT64_MAX / kInkPerGas / 2);

// Trap messages by which a hook stops the program for a reason the run records itself.
constexpr const char* kExitMessage = "exit_early";
constexpr const char* kHaltMessage = "halted by a host function";

int64_t words(uint64_t bytes) { return static_cast<int64_t>((bytes + 31) / 32); }

// A usize result in the program's memory: wasm32 is little-endian whatever the host is.
void store_u32_le(uint8_t* out, uint32_t value) {
    for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

class ProgramRun {
public:
    ProgramRun(Host& host, Revision rev, const Message& msg, ProgramStack& stack, wasm::Executor& executor)
        : host_(host), rev_(rev), msg_(msg), stack_(stack), executor_(executor) {}

    void set_memory(wasm::MemoryInstance* memory) { memory_ = memory; }
    std::string hook(Hook id, std::span<const Slot> args, std::span<Slot> results);

    /// Writes the cached stores to the state (SSTORE's gas and refunds); false when the program
    /// must stop (halt_ says why).
    bool flush_storage_cache(bool clear);

    /// The output of the program's last call or failed creation (RETURNDATA's counterpart).
    bytes_view return_data() const { return return_data_; }

    std::optional<int32_t> exit_status_;  // exit_early's status
    std::optional<Status> halt_;          // a hook ended the call as a failure
    bytes result_;
    int64_t refund_ = 0;

private:
    /// The program's memory at [offset, offset + size), or null when that is out of bounds.
    uint8_t* memory_at(uint64_t offset, uint64_t size) {
        std::vector<uint8_t>& bytes = memory_->bytes;
        if (offset > bytes.size() || size > bytes.size() - offset) return nullptr;
        // An empty range of an empty memory is in bounds, and must not look like null.
        return bytes.empty() ? &empty_memory_ : bytes.data() + offset;
    }
    /// Charges `gas` as ink; false (and halt_ OutOfGas) when there is not enough left.
    bool charge(int64_t gas) {
        if (executor_.consume_fuel(static_cast<uint64_t>(gas) * kFuelPerGas)) return true;
        halt_ = Status::OutOfGas;
        return false;
    }
    bool read_address(uint64_t offset, Address& out) {
        const uint8_t* p = memory_at(offset, 20);
        if (p) std::memcpy(out.data(), p, 20);
        return p != nullptr;
    }
    int64_t gas_left() const { return static_cast<int64_t>(executor_.fuel_left() / kFuelPerGas); }
    std::string halt(Status status) {
        halt_ = status;
        return kHaltMessage;
    }
    int64_t account_access_gas(const Address& address) {
        if (rev_ < Revision::Berlin) return kPreBerlinAccountGas;
        return host_.access_account(address) == AccessStatus::Cold ? gas::kColdAccountAccess : gas::kWarmAccess;
    }
    int64_t storage_access_gas(const uint256& key) {
        if (rev_ < Revision::Berlin) return kPreBerlinSloadGas;
        return host_.access_storage(msg_.recipient, key) == AccessStatus::Cold ? gas::kColdSload : gas::kWarmAccess;
    }

    std::string call(Hook kind, std::span<const Slot> args, std::span<Slot> results);
    std::string create(Hook kind, std::span<const Slot> args);
    std::string math(Hook kind, std::span<const Slot> args);

    Host& host_;
    Revision rev_;
    const Message& msg_;
    ProgramStack& stack_;
    wasm::Executor& executor_;
    wasm::MemoryInstance* memory_ = nullptr;
    uint8_t empty_memory_ = 0;
    bytes return_data_;
    struct CachedSlot {
        uint256 value;
        bool dirty = false;
    };
    // Ordered, so that a flush writes (and charges) the slots in the same order on every node.
    std::map<uint256, CachedSlot> storage_cache_;
};

constexpr const char* kOutOfBounds = "memory access out of bounds";

bool ProgramRun::flush_storage_cache(bool clear) {
    for (auto& [key, slot] : storage_cache_) {
        if (!slot.dirty) continue;
        if (msg_.is_static) {
            halt_ = Status::StaticModeViolation;
            return false;
        }
        // EIP-2200: a store needs more than the call stipend left, as SSTORE does.
        if (rev_ >= Revision::Istanbul && gas_left() <= gas::kSstoreSentry) {
            halt_ = Status::OutOfGas;
            return false;
        }
        const StorageStatus status = host_.set_storage(msg_.recipient, key, slot.value);
        const SstoreCost cost = sstore_cost(rev_, status);
        if (!charge(cost.gas)) return false;
        refund_ += cost.refund;
        slot.dirty = false;
    }
    if (clear) storage_cache_.clear();
    return true;
}

std::string ProgramRun::hook(Hook id, std::span<const Slot> args, std::span<Slot> results) {
    const auto arg32 = [&](size_t i) { return static_cast<uint64_t>(static_cast<uint32_t>(args[i])); };
    // Writes a value the program asked for to memory at args[0].
    const auto write_out = [&](const uint8_t* data, size_t size) -> std::string {
        uint8_t* dest = memory_at(arg32(0), size);
        if (!dest) return kOutOfBounds;
        if (size) std::memcpy(dest, data, size);  // empty call data may have no address
        return {};
    };
    const auto write_word = [&](const uint256& value) {
        uint8_t word[32];
        value.store_be(word);
        return write_out(word, 32);
    };
    const auto write_address = [&](const Address& address) { return write_out(address.data(), 20); };
    const auto read_word = [&](uint64_t offset, uint256& out) {
        const uint8_t* p = memory_at(offset, 32);
        if (p) out = uint256::load_be(p);
        return p != nullptr;
    };
    const TxContext& tx = host_.get_tx_context();

    switch (id) {
    case Hook::ReadArgs: {
        if (!charge(kVeryLowGas + gas::kCopyWord * words(msg_.input.size()))) return kHaltMessage;
        return write_out(msg_.input.data(), msg_.input.size());
    }
    case Hook::WriteResult: {
        const uint64_t size = arg32(1);
        if (!charge(gas::kCopyWord * words(size))) return kHaltMessage;
        const uint8_t* data = memory_at(arg32(0), size);
        if (!data) return kOutOfBounds;
        result_.assign(data, data + size);
        return {};
    }
    case Hook::ExitEarly:
        exit_status_ = static_cast<int32_t>(args[0]);
        return kExitMessage;
    case Hook::StorageLoadBytes32: {
        uint256 key;
        if (!read_word(arg32(0), key) || !memory_at(arg32(1), 32)) return kOutOfBounds;
        if (!charge(storage_access_gas(key))) return kHaltMessage;
        const auto cached = storage_cache_.find(key);
        uint256 value;
        if (cached != storage_cache_.end()) {
            value = cached->second.value;
        } else {
            value = host_.get_storage(msg_.recipient, key);
            storage_cache_.emplace(key, CachedSlot{value, false});
        }
        uint8_t word[32];
        value.store_be(word);
        std::memcpy(memory_at(arg32(1), 32), word, 32);
        return {};
    }
    case Hook::StorageCacheBytes32: {
        uint256 key, value;
        if (!read_word(arg32(0), key) || !read_word(arg32(1), value)) return kOutOfBounds;
        // The cold-slot surcharge is paid now (it also bounds how many slots a program can
        // cache); the flush pays SSTORE's own cost for what the store does to the slot.
        const int64_t cost = rev_ >= Revision::Berlin && host_.access_storage(msg_.recipient, key) == AccessStatus::Cold
                                 ? gas::kColdSload
                                 : kBaseGas;
        if (!charge(cost)) return kHaltMessage;
        storage_cache_[key] = CachedSlot{value, true};
        return {};
    }
    case Hook::StorageFlushCache:
        if (!charge(kBaseGas) || !flush_storage_cache(arg32(0) != 0)) return kHaltMessage;
        return {};
    case Hook::TransientLoadBytes32: {
        uint256 key;
        if (!read_word(arg32(0), key) || !memory_at(arg32(1), 32)) return kOutOfBounds;
        if (!charge(gas::kWarmAccess)) return kHaltMessage;
        uint8_t word[32];
        host_.get_transient_storage(msg_.recipient, key).store_be(word);
        std::memcpy(memory_at(arg32(1), 32), word, 32);
        return {};
    }
    case Hook::TransientStoreBytes32: {
        uint256 key, value;
        if (!read_word(arg32(0), key) || !read_word(arg32(1), value)) return kOutOfBounds;
        if (msg_.is_static) return halt(Status::StaticModeViolation);
        if (!charge(gas::kWarmAccess)) return kHaltMessage;
        host_.set_transient_storage(msg_.recipient, key, value);
        return {};
    }
    case Hook::CallContract:
    case Hook::DelegateCallContract:
    case Hook::StaticCallContract: return call(id, args, results);
    case Hook::Create1:
    case Hook::Create2: return create(id, args);
    case Hook::ReadReturnData: {
        const uint64_t offset = arg32(1), size = arg32(2);
        const uint64_t available = offset < return_data_.size() ? return_data_.size() - offset : 0;
        const uint64_t count = std::min(size, available);
        if (!charge(kVeryLowGas + gas::kCopyWord * words(count))) return kHaltMessage;
        if (count) {
            if (auto error = write_out(return_data_.data() + offset, count); !error.empty()) return error;
        }
        results[0] = count;
        return {};
    }
    case Hook::ReturnDataSize:
        if (!charge(kBaseGas)) return kHaltMessage;
        results[0] = return_data_.size();
        return {};
    case Hook::EmitLog: {
        const uint64_t size = arg32(1), topics = arg32(2);
        if (topics > 4) return "emit_log: more than 4 topics";
        if (size < topics * 32) return "emit_log: data shorter than its topics";
        const uint8_t* data = memory_at(arg32(0), size);
        if (!data) return kOutOfBounds;
        if (msg_.is_static) return halt(Status::StaticModeViolation);
        const uint64_t data_size = size - topics * 32;
        if (!charge(kLogGas + kLogTopicGas * static_cast<int64_t>(topics) +
                    gas::kLogData * static_cast<int64_t>(data_size)))
            return kHaltMessage;
        Hash32 topic_words[4];
        for (uint64_t i = 0; i < topics; ++i) std::memcpy(topic_words[i].data(), data + 32 * i, 32);
        host_.emit_log(msg_.recipient, bytes_view{data + topics * 32, data_size}, topic_words, topics);
        return {};
    }
    case Hook::AccountBalance: {
        Address address;
        if (!read_address(arg32(0), address) || !memory_at(arg32(1), 32)) return kOutOfBounds;
        if (!charge(account_access_gas(address))) return kHaltMessage;
        uint8_t word[32];
        host_.get_balance(address).store_be(word);
        std::memcpy(memory_at(arg32(1), 32), word, 32);
        return {};
    }
    case Hook::AccountCode: {
        Address address;
        const uint64_t offset = arg32(1), size = arg32(2);
        if (!read_address(arg32(0), address)) return kOutOfBounds;
        if (!charge(account_access_gas(address))) return kHaltMessage;
        const size_t code_size = host_.get_code_size(address);
        const uint64_t count = offset < code_size ? std::min<uint64_t>(size, code_size - offset) : 0;
        uint8_t* dest = memory_at(arg32(3), count);
        if (!dest) return kOutOfBounds;
        if (!charge(gas::kCopyWord * words(count))) return kHaltMessage;
        results[0] = host_.copy_code(address, offset, std::span<uint8_t>(dest, count));
        return {};
    }
    case Hook::AccountCodeSize: {
        Address address;
        if (!read_address(arg32(0), address)) return kOutOfBounds;
        if (!charge(account_access_gas(address))) return kHaltMessage;
        results[0] = host_.get_code_size(address);
        return {};
    }
    case Hook::AccountCodehash: {
        Address address;
        if (!read_address(arg32(0), address) || !memory_at(arg32(1), 32)) return kOutOfBounds;
        if (!charge(account_access_gas(address))) return kHaltMessage;
        const Hash32 hash = host_.get_code_hash(address);
        std::memcpy(memory_at(arg32(1), 32), hash.data(), 32);
        return {};
    }
    case Hook::EvmGasLeft:
        if (!charge(kBaseGas)) return kHaltMessage;
        results[0] = static_cast<uint64_t>(gas_left());
        return {};
    case Hook::EvmInkLeft:
        if (!charge(kBaseGas)) return kHaltMessage;
        results[0] = executor_.fuel_left() * kInkPerFuel;
        return {};
    case Hook::PayForMemoryGrow:
        // memory.grow itself charges per page (wasm/fuel.hpp); this hook is the base cost only.
        if (!charge(kBaseGas)) return kHaltMessage;
        return {};
    case Hook::BlockBasefee:
        if (!charge(kBaseGas)) return kHaltMessage;
        return write_word(tx.base_fee);
    case Hook::Chainid:
        if (!charge(kBaseGas)) return kHaltMessage;
        results[0] = tx.chain_id.low64();
        return {};
    case Hook::BlockCoinbase:
        if (!charge(kBaseGas)) return kHaltMessage;
        return write_address(tx.coinbase);
    case Hook::BlockGasLimit:
        if (!charge(kBaseGas)) return kHaltMessage;
        results[0] = tx.block_gas_limit;
        return {};
    case Hook::BlockNumber:
        if (!charge(kBaseGas)) return kHaltMessage;
        results[0] = tx.block_number;
        return {};
    case Hook::BlockTimestamp:
        if (!charge(kBaseGas)) return kHaltMessage;
        results[0] = tx.timestamp;
        return {};
    case Hook::ContractAddress:
        if (!charge(kBaseGas)) return kHaltMessage;
        return write_address(msg_.recipient);
    case Hook::MsgReentrant:
        if (!charge(kBaseGas)) return kHaltMessage;
        results[0] = stack_.is_reentered(msg_.recipient) ? 1 : 0;
        return {};
    case Hook::MsgSender:
        if (!charge(kBaseGas)) return kHaltMessage;
        return write_address(msg_.sender);
    case Hook::MsgValue:
        if (!charge(kBaseGas)) return kHaltMessage;
        return write_word(msg_.value);
    case Hook::TxGasPrice:
        if (!charge(kBaseGas)) return kHaltMessage;
        return write_word(tx.gas_price);
    case Hook::TxInkPrice:
        if (!charge(kBaseGas)) return kHaltMessage;
        results[0] = kInkPerGas;
        return {};
    case Hook::TxOrigin:
        if (!charge(kBaseGas)) return kHaltMessage;
        return write_address(tx.origin);
    case Hook::NativeKeccak256: {
        const uint64_t size = arg32(1);
        const uint8_t* data = memory_at(arg32(0), size);
        if (!data || !memory_at(arg32(2), 32)) return kOutOfBounds;
        if (!charge(kKeccakGas + gas::kKeccakWord * words(size))) return kHaltMessage;
        const Hash32 hash = keccak256(bytes_view{data, size});
        std::memcpy(memory_at(arg32(2), 32), hash.data(), 32);
        return {};
    }
    case Hook::MathDiv:
    case Hook::MathMod:
    case Hook::MathPow:
    case Hook::MathAddMod:
    case Hook::MathMulMod: return math(id, args);
    }
    return "unknown host function";
}

std::string ProgramRun::math(Hook kind, std::span<const Slot> args) {
    const uint64_t value_at = static_cast<uint32_t>(args[0]);
    uint8_t* value_bytes = memory_at(value_at, 32);
    const uint8_t* operand_bytes = memory_at(static_cast<uint32_t>(args[1]), 32);
    if (!value_bytes || !operand_bytes) return kOutOfBounds;
    const uint256 value = uint256::load_be(value_bytes), operand = uint256::load_be(operand_bytes);
    uint256 out;
    if (kind == Hook::MathAddMod || kind == Hook::MathMulMod) {
        const uint8_t* modulus_bytes = memory_at(static_cast<uint32_t>(args[2]), 32);
        if (!modulus_bytes) return kOutOfBounds;
        if (!charge(kMidGas)) return kHaltMessage;
        const uint256 modulus = uint256::load_be(modulus_bytes);
        out = kind == Hook::MathAddMod ? addmod(value, operand, modulus) : mulmod(value, operand, modulus);
    } else if (kind == Hook::MathPow) {
        const int64_t per_byte = rev_ >= Revision::SpuriousDragon ? gas::kExpByteSpuriousDragon : gas::kExpByteFrontier;
        if (!charge(kExpGas + per_byte * static_cast<int64_t>(operand.byte_length()))) return kHaltMessage;
        out = exp(value, operand);
    } else {
        if (!charge(kLowGas)) return kHaltMessage;
        // As the EVM's DIV and MOD: a zero divisor gives zero.
        out = operand.is_zero() ? uint256{} : kind == Hook::MathDiv ? value / operand : value % operand;
    }
    out.store_be(value_bytes);
    return {};
}

std::string ProgramRun::call(Hook kind, std::span<const Slot> args, std::span<Slot> results) {
    const bool has_value = kind == Hook::CallContract;
    const uint64_t calldata_at = static_cast<uint32_t>(args[1]), calldata_size = static_cast<uint32_t>(args[2]);
    const size_t gas_arg = has_value ? 4 : 3;
    const uint64_t gas_requested = args[gas_arg];
    uint8_t* return_data_len = memory_at(static_cast<uint32_t>(args[gas_arg + 1]), 4);
    Address target;
    uint256 value;
    const uint8_t* calldata = memory_at(calldata_at, calldata_size);
    if (!read_address(static_cast<uint32_t>(args[0]), target) || !calldata || !return_data_len) return kOutOfBounds;
    if (has_value) {
        const uint8_t* value_bytes = memory_at(static_cast<uint32_t>(args[3]), 32);
        if (!value_bytes) return kOutOfBounds;
        value = uint256::load_be(value_bytes);
    }
    const bool transfers_value = !value.is_zero();
    // EIP-214: a static frame may not send value.
    if (transfers_value && msg_.is_static) return halt(Status::StaticModeViolation);
    // The callee sees this program's stores (and may change the slots): write them, forget them.
    if (!flush_storage_cache(true)) return kHaltMessage;

    // What the EVM's CALL family charges the caller, then the 63/64 rule on what is left.
    int64_t cost = account_access_gas(target);
    if (rev_ >= Revision::Prague) {
        if (const auto delegate = host_.get_delegation(target))
            cost += host_.access_account(*delegate) == AccessStatus::Cold ? gas::kColdAccountAccess : gas::kWarmAccess;
    }
    if (transfers_value) {
        cost += gas::kCallValue;
        if (!host_.account_exists(target)) cost += gas::kNewAccount;
    }
    if (!charge(cost)) return kHaltMessage;
    const int64_t available = gas_left();
    const int64_t cap = available - available / 64;
    int64_t child_gas = gas_requested < static_cast<uint64_t>(cap) ? static_cast<int64_t>(gas_requested) : cap;
    if (!charge(child_gas)) return kHaltMessage;
    if (transfers_value) child_gas += gas::kCallStipend;

    return_data_.clear();
    uint8_t status = 1;
    const bool can_start = msg_.depth < gas::kMaxCallDepth &&
                           (!transfers_value || host_.get_balance(msg_.recipient) >= value);
    if (!can_start) {
        executor_.add_fuel(static_cast<uint64_t>(child_gas) * kFuelPerGas);  // as the EVM: the gas comes back
    } else {
        Message child;
        child.depth = msg_.depth + 1;
        child.gas = child_gas;
        child.code_address = target;
        child.input = bytes_view{calldata, calldata_size};
        child.is_static = msg_.is_static || kind == Hook::StaticCallContract;
        if (kind == Hook::DelegateCallContract) {
            child.kind = CallKind::DelegateCall;
            child.recipient = msg_.recipient;
            child.sender = msg_.sender;
            child.value = msg_.value;
        } else {
            child.kind = CallKind::Call;
            child.recipient = target;
            child.sender = msg_.recipient;
            child.value = value;
        }
        ExecutionResult r = host_.call(child);
        return_data_ = std::move(r.output);
        executor_.add_fuel(static_cast<uint64_t>(r.gas_left) * kFuelPerGas);
        if (r.status == Status::Success) {
            refund_ += r.gas_refund;
            status = 0;
        }
    }
    store_u32_le(return_data_len, static_cast<uint32_t>(return_data_.size()));
    results[0] = status;
    return {};
}

std::string ProgramRun::create(Hook kind, std::span<const Slot> args) {
    const bool salted = kind == Hook::Create2;
    const uint64_t code_at = static_cast<uint32_t>(args[0]), code_size = static_cast<uint32_t>(args[1]);
    const uint8_t* code = memory_at(code_at, code_size);
    const uint8_t* endowment = memory_at(static_cast<uint32_t>(args[2]), 32);
    const uint8_t* salt = salted ? memory_at(static_cast<uint32_t>(args[3]), 32) : nullptr;
    uint8_t* contract_out = memory_at(static_cast<uint32_t>(args[salted ? 4 : 3]), 20);
    uint8_t* revert_data_len = memory_at(static_cast<uint32_t>(args[salted ? 5 : 4]), 4);
    if (!code || !endowment || (salted && !salt) || !contract_out || !revert_data_len) return kOutOfBounds;
    if (msg_.is_static) return halt(Status::StaticModeViolation);  // EIP-214
    if (!flush_storage_cache(true)) return kHaltMessage;

    const uint256 value = uint256::load_be(endowment);
    int64_t cost = kCreateGas;
    if (rev_ >= Revision::Shanghai) {
        // EIP-3860: as the EVM, init code over the limit is an exceptional halt.
        if (code_size > gas::kMaxInitcodeSize) return halt(Status::InitcodeSizeExceeded);
        cost += gas::kInitcodeWord * words(code_size);
    }
    if (salted) cost += gas::kKeccakWord * words(code_size);  // EIP-1014
    if (!charge(cost)) return kHaltMessage;
    const int64_t available = gas_left();
    const int64_t child_gas = available - available / 64;
    if (!charge(child_gas)) return kHaltMessage;

    return_data_.clear();
    Address created;
    if (msg_.depth < gas::kMaxCallDepth && host_.get_balance(msg_.recipient) >= value) {
        Message child;
        child.kind = salted ? CallKind::Create2 : CallKind::Create;
        child.depth = msg_.depth + 1;
        child.gas = child_gas;
        child.sender = msg_.recipient;
        child.value = value;
        child.input = bytes_view{code, code_size};
        if (salted) std::memcpy(child.create2_salt.data(), salt, 32);
        ExecutionResult r = host_.call(child);
        executor_.add_fuel(static_cast<uint64_t>(r.gas_left) * kFuelPerGas);
        if (r.status == Status::Success) {
            refund_ += r.gas_refund;
            created = r.create_address;
        } else if (r.status == Status::Revert) {
            return_data_ = std::move(r.output);  // only a reverted init code leaves return data
        }
    } else {
        executor_.add_fuel(static_cast<uint64_t>(child_gas) * kFuelPerGas);
    }
    std::memcpy(contract_out, created.data(), 20);
    store_u32_le(revert_data_len, static_cast<uint32_t>(return_data_.size()));
    return {};
}

ExecutionResult failure(Status status) { return ExecutionResult{status, 0, 0, {}, {}}; }

/// An executor for one program call, taken from this thread's spares and given back after: an
/// executor's stacks (512 KiB of values, 1,025 frames) cost more to allocate than a small call
/// takes to run. Nested calls (a program calling a program) each hold their own.
class ExecutorLease {
public:
    ExecutorLease() {
        if (spares().empty()) {
            executor_ = std::make_unique<wasm::Executor>(
                wasm::ExecutionLimits{.max_call_depth = 1024, .value_stack_slots = size_t(1) << 16});
        } else {
            executor_ = std::move(spares().back());
            spares().pop_back();
        }
    }
    ~ExecutorLease() {
        if (spares().size() < kMaxSpares) spares().push_back(std::move(executor_));
    }
    ExecutorLease(const ExecutorLease&) = delete;
    ExecutorLease& operator=(const ExecutorLease&) = delete;
    wasm::Executor& executor() { return *executor_; }

private:
    static constexpr size_t kMaxSpares = 4;
    static std::vector<std::unique_ptr<wasm::Executor>>& spares() {
        thread_local std::vector<std::unique_ptr<wasm::Executor>> pool;
        return pool;
    }
    std::unique_ptr<wasm::Executor> executor_;
};

}  // namespace

/// Turns a traced program's instructions into the tracer's steps of the program's frame: gas as
/// the EVM counts it (fuel in gas plus what was kept out of the executor), the frame's depth.
class StepReporter final : public wasm::StepObserver {
public:
    StepReporter(Tracer& tracer, const Message& msg, const ProgramRun& run, int64_t reserved_gas)
        : tracer_(tracer), msg_(msg), run_(run), reserved_gas_(reserved_gas) {}

    void on_instruction(const wasm::ExecutedInstruction& executed) override {
        TraceStep step;
        step.vm = TraceVm::Wasm;
        step.pc = executed.offset;
        step.opcode = static_cast<uint8_t>(executed.opcode > 0xFF ? executed.opcode >> 8 : executed.opcode);
        step.op_name = wasm::instruction_name(executed.opcode);
        step.gas_left = static_cast<int64_t>(executed.fuel_left / kFuelPerGas) + reserved_gas_;
        step.gas_cost = static_cast<int64_t>(wasm::instruction_cost(executed.opcode) * kInkPerFuel / kInkPerGas);
        step.depth = msg_.depth;
        step.refund = run_.refund_;
        step.return_data = run_.return_data();
        tracer_.on_step(step);
    }

private:
    Tracer& tracer_;
    const Message& msg_;
    const ProgramRun& run_;
    int64_t reserved_gas_;
};

ExecutionResult execute_program(Host& host, Revision rev, const Message& msg, const CompiledProgram& program,
                                ProgramStack& stack, Tracer* tracer) {
    if (!program) return failure(Status::Failure);
    const int64_t metered_gas = std::min(msg.gas, kMaxGasAsInk);
    const int64_t reserved_gas = msg.gas - metered_gas;

    // Deep chains of calls share one memory budget; the limits keep a call's own stacks small.
    const uint64_t open_pages = stack.open_pages();
    if (open_pages >= kMaxOpenPages) return failure(Status::Failure);
    ProgramFrameGuard frame(stack, msg.recipient);
    ExecutorLease lease;
    wasm::Executor& executor = lease.executor();
    executor.set_fuel(static_cast<uint64_t>(metered_gas) * kFuelPerGas);
    // Instantiation, and the memory a call starts with paid like grown memory (at most 128 pages:
    // contract_rules).
    const uint64_t initial_pages = program->module.memories.empty() ? 0 : program->module.memories[0].limits.min;
    if (!executor.consume_fuel(static_cast<uint64_t>(kProgramInstantiationGas) * kFuelPerGas +
                               initial_pages * wasm::kFuelPerMemoryPage))
        return failure(Status::OutOfGas);
    ProgramRun run(host, rev, msg, stack, executor);

    wasm::Store store;
    store.memory_page_limit = static_cast<uint32_t>(kMaxOpenPages - open_pages);
    std::deque<wasm::ExternalValue> imports;  // stable addresses for the resolver's answers
    const wasm::ImportResolver resolver = [&](std::string_view module, std::string_view field) -> const wasm::ExternalValue* {
        const wasm::HostFunctionSignature* signature = wasm::find_host_function(field);
        const auto hook = find_hook(field);
        if (module != wasm::kHostModuleName || !signature || !hook) return nullptr;
        wasm::FunctionInstance& function = store.functions.emplace_back();
        function.type = wasm::function_type_of(*signature);
        function.host = [&run, id = *hook](std::span<const Slot> args, std::span<Slot> results) {
            return run.hook(id, args, results);
        };
        wasm::ExternalValue& value = imports.emplace_back();
        value.kind = wasm::ExternalKind::Function;
        value.function = &function;
        return &value;
    };
    const wasm::Instantiation instance = wasm::instantiate(store, program, resolver, executor);
    if (!instance.ok() || !instance.instance->memory) return failure(Status::Failure);
    run.set_memory(instance.instance->memory);
    frame.set_memory(instance.instance->memory);
    const auto entry = instance.instance->exports.find("user_entrypoint");
    if (entry == instance.instance->exports.end() || !entry->second.function) return failure(Status::Failure);

    const wasm::Value args_len = wasm::Value::i32(static_cast<uint32_t>(msg.input.size()));
    // The executor is pooled: the observer is set for this call only (null untraced).
    std::optional<StepReporter> reporter;
    if (tracer) reporter.emplace(*tracer, msg, run, reserved_gas);
    executor.set_step_observer(reporter ? &*reporter : nullptr);
    const wasm::ExecutionResult outcome = executor.invoke(*entry->second.function, std::span(&args_len, 1));
    executor.set_step_observer(nullptr);

    if (run.halt_) return failure(*run.halt_);
    int32_t status = 0;
    if (run.exit_status_) {
        status = *run.exit_status_;
    } else if (outcome.ok() && outcome.values.size() == 1) {
        status = static_cast<int32_t>(outcome.values[0].bits);
    } else {
        return failure(outcome.status == wasm::ExecutionStatus::OutOfFuel ? Status::OutOfGas : Status::Failure);
    }
    // A successful program's cached stores take effect at its end, paid like any flush.
    if (status == 0 && !run.flush_storage_cache(true)) return failure(*run.halt_);

    ExecutionResult result;
    result.status = status == 0 ? Status::Success : Status::Revert;
    result.gas_left = static_cast<int64_t>(executor.fuel_left() / kFuelPerGas) + reserved_gas;
    result.gas_refund = status == 0 ? run.refund_ : 0;
    result.output = std::move(run.result_);
    return result;
}

}  // namespace polyvm::stylus
