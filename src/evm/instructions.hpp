// Bodies of the instructions that run inline in the interpreter loop. Each takes the stack
// pointer (one past the top item: sp[-1] is the top), the gas counter and the frame state, and
// returns Status::Success to continue. Stack heights are checked and adjusted by the loop from
// the opcode table, so a body only reads its inputs at sp[-1], sp[-2], ... and writes its
// results over them, starting at sp[-inputs] (or sp[0] for instructions without inputs).
#pragma once

#include "crypto/keccak.hpp"
#include "evm/execution_state.hpp"
#include "evm/gas_constants.hpp"
#include "evm/keccak_memo.hpp"
#include "evm/opcodes.hpp"

#include <algorithm>
#include <cstring>

namespace polyvm::instr {

#define POLYVM_OP(name)                                                                                         \
    [[gnu::always_inline]] inline Status name([[maybe_unused]] uint256* sp, [[maybe_unused]] int64_t& gas, \
                                              [[maybe_unused]] ExecutionState& st) noexcept

// ---- helpers -------------------------------------------------------------------------------

/// EIP-2929 (Berlin): the first access to an account in a transaction costs 2600 instead of 100.
/// The warm 100 is the opcode's base gas; this adds the difference when cold.
[[gnu::always_inline]] inline bool charge_account_access(int64_t& gas, ExecutionState& st, const Address& addr) {
    if (st.rev >= Revision::Berlin && st.host.access_account(addr) == AccessStatus::Cold) {
        gas -= gas::kColdAccountAccess - gas::kWarmAccess;
        return gas >= 0;
    }
    return true;
}

/// Copies src[src_offset, src_offset + size) to memory at dst, zero-filling what lies past the
/// end of src. Memory must already cover the destination (size > 0 implies it was touched).
inline void copy_padded(ExecutionState& st, uint64_t dst, bytes_view src, const uint256& src_offset,
                        uint64_t size) noexcept {
    if (size == 0) return;
    uint8_t* out = st.memory.data() + dst;
    size_t n = 0;
    if (src_offset.fits_u64() && src_offset.low64() < src.size())
        n = std::min<uint64_t>(size, src.size() - src_offset.low64());
    if (n) std::memcpy(out, src.data() + src_offset.low64(), n);
    if (n < size) std::memset(out + n, 0, size - n);
}

/// Charges 3 gas per word copied (the *COPY family).
[[gnu::always_inline]] inline bool charge_copy(int64_t& gas, const uint256& size) noexcept {
    // touch_memory has already bounded size to 32 bits when it is non-zero.
    gas -= gas::kCopyWord * static_cast<int64_t>(num_words(size.low64()));
    return gas >= 0;
}

// ---- arithmetic (Yellow Paper 0s) ----------------------------------------------------------

POLYVM_OP(op_add) { store_wide(sp[-2], sp[-1] + sp[-2]); return Status::Success; }
POLYVM_OP(op_mul) { store_wide(sp[-2], sp[-1] * sp[-2]); return Status::Success; }
POLYVM_OP(op_sub) { store_wide(sp[-2], sp[-1] - sp[-2]); return Status::Success; }
POLYVM_OP(op_div) { sp[-2] = sp[-1] / sp[-2]; return Status::Success; }
POLYVM_OP(op_sdiv) { sp[-2] = sdiv(sp[-1], sp[-2]); return Status::Success; }
POLYVM_OP(op_mod) { sp[-2] = sp[-1] % sp[-2]; return Status::Success; }
POLYVM_OP(op_smod) { sp[-2] = smod(sp[-1], sp[-2]); return Status::Success; }
POLYVM_OP(op_addmod) { sp[-3] = addmod(sp[-1], sp[-2], sp[-3]); return Status::Success; }
POLYVM_OP(op_mulmod) { sp[-3] = mulmod(sp[-1], sp[-2], sp[-3]); return Status::Success; }
POLYVM_OP(op_exp) {
    const uint256& exponent = sp[-2];
    // EIP-160 (Spurious Dragon) raised the per-byte price from 10 to 50.
    const int64_t per_byte = st.rev >= Revision::SpuriousDragon ? gas::kExpByteSpuriousDragon : gas::kExpByteFrontier;
    gas -= per_byte * static_cast<int64_t>(exponent.byte_length());
    if (gas < 0) return Status::OutOfGas;
    sp[-2] = exp(sp[-1], exponent);
    return Status::Success;
}
POLYVM_OP(op_signextend) { sp[-2] = signextend(sp[-1], sp[-2]); return Status::Success; }

// ---- comparison and bitwise (1s) -----------------------------------------------------------

POLYVM_OP(op_lt) { sp[-2] = sp[-1] < sp[-2] ? 1 : 0; return Status::Success; }
POLYVM_OP(op_gt) { sp[-2] = sp[-1] > sp[-2] ? 1 : 0; return Status::Success; }
POLYVM_OP(op_slt) { sp[-2] = slt(sp[-1], sp[-2]) ? 1 : 0; return Status::Success; }
POLYVM_OP(op_sgt) { sp[-2] = slt(sp[-2], sp[-1]) ? 1 : 0; return Status::Success; }
POLYVM_OP(op_eq) { sp[-2] = sp[-1] == sp[-2] ? 1 : 0; return Status::Success; }
POLYVM_OP(op_iszero) { sp[-1] = sp[-1].is_zero() ? 1 : 0; return Status::Success; }
POLYVM_OP(op_and) { sp[-2] = sp[-1] & sp[-2]; return Status::Success; }
POLYVM_OP(op_or) { sp[-2] = sp[-1] | sp[-2]; return Status::Success; }
POLYVM_OP(op_xor) { sp[-2] = sp[-1] ^ sp[-2]; return Status::Success; }
POLYVM_OP(op_not) { sp[-1] = ~sp[-1]; return Status::Success; }
POLYVM_OP(op_byte) { sp[-2] = byte_at(sp[-1], sp[-2]); return Status::Success; }
POLYVM_OP(op_shl) { store_wide(sp[-2], shl(sp[-1], sp[-2])); return Status::Success; }  // EIP-145
POLYVM_OP(op_shr) { store_wide(sp[-2], shr(sp[-1], sp[-2])); return Status::Success; }  // EIP-145
POLYVM_OP(op_sar) { store_wide(sp[-2], sar(sp[-1], sp[-2])); return Status::Success; }  // EIP-145
POLYVM_OP(op_clz) { sp[-1] = 256 - sp[-1].bit_length(); return Status::Success; }  // EIP-7939

// ---- KECCAK256 (20) ------------------------------------------------------------------------

POLYVM_OP(op_keccak256) {
    const uint256& offset = sp[-1];
    const uint256& size = sp[-2];
    if (!touch_memory(gas, st.memory, offset, size)) return Status::OutOfGas;
    const uint64_t n = size.low64();
    gas -= gas::kKeccakWord * static_cast<int64_t>(num_words(n));
    if (gas < 0) return Status::OutOfGas;
    if (n == 64) {  // a mapping's slot, most often one this transaction has hashed already
        keccak256_64_memoized(st.memory.data() + offset.low64(), sp[-2]);
        return Status::Success;
    }
    const bytes_view data = n ? bytes_view{st.memory.data() + offset.low64(), n} : bytes_view{};
    sp[-2] = uint256::from_hash(keccak256(data));
    return Status::Success;
}

// ---- environment (30s) ---------------------------------------------------------------------

POLYVM_OP(op_address) { sp[0] = uint256::from_address(st.msg.recipient); return Status::Success; }
POLYVM_OP(op_balance) {
    const Address addr = sp[-1].to_address();
    if (!charge_account_access(gas, st, addr)) return Status::OutOfGas;
    sp[-1] = st.host.get_balance(addr);
    return Status::Success;
}
POLYVM_OP(op_origin) { sp[0] = uint256::from_address(st.tx().origin); return Status::Success; }
POLYVM_OP(op_caller) { sp[0] = uint256::from_address(st.msg.sender); return Status::Success; }
POLYVM_OP(op_callvalue) { sp[0] = st.msg.value; return Status::Success; }
POLYVM_OP(op_calldataload) {
    const uint256& offset = sp[-1];
    const bytes_view data = st.msg.input;
    if (!offset.fits_u64() || offset.low64() >= data.size()) {
        sp[-1] = 0;
    } else {
        uint8_t word[32] = {};
        const size_t n = std::min<size_t>(32, data.size() - offset.low64());
        std::memcpy(word, data.data() + offset.low64(), n);
        store_wide(sp[-1], uint256::load_be(word));
    }
    return Status::Success;
}
POLYVM_OP(op_calldatasize) { sp[0] = st.msg.input.size(); return Status::Success; }
POLYVM_OP(op_calldatacopy) {
    const uint256 &dst = sp[-1], &src = sp[-2], &size = sp[-3];
    if (!touch_memory(gas, st.memory, dst, size) || !charge_copy(gas, size)) return Status::OutOfGas;
    copy_padded(st, dst.low64(), st.msg.input, src, size.low64());
    return Status::Success;
}
POLYVM_OP(op_codesize) { sp[0] = st.code.code_size; return Status::Success; }
POLYVM_OP(op_codecopy) {
    const uint256 &dst = sp[-1], &src = sp[-2], &size = sp[-3];
    if (!touch_memory(gas, st.memory, dst, size) || !charge_copy(gas, size)) return Status::OutOfGas;
    copy_padded(st, dst.low64(), st.code.code(), src, size.low64());
    return Status::Success;
}
POLYVM_OP(op_gasprice) { sp[0] = st.tx().gas_price; return Status::Success; }
POLYVM_OP(op_extcodesize) {
    const Address addr = sp[-1].to_address();
    if (!charge_account_access(gas, st, addr)) return Status::OutOfGas;
    sp[-1] = st.host.get_code_size(addr);
    return Status::Success;
}
POLYVM_OP(op_extcodecopy) {
    const Address addr = sp[-1].to_address();
    const uint256 &dst = sp[-2], &src = sp[-3], &size = sp[-4];
    if (!touch_memory(gas, st.memory, dst, size) || !charge_copy(gas, size)) return Status::OutOfGas;
    if (!charge_account_access(gas, st, addr)) return Status::OutOfGas;
    const uint64_t n = size.low64();
    if (n == 0) return Status::Success;
    uint8_t* out = st.memory.data() + dst.low64();
    size_t copied = 0;
    if (src.fits_u64())
        copied = st.host.copy_code(addr, static_cast<size_t>(src.low64()), {out, static_cast<size_t>(n)});
    if (copied < n) std::memset(out + copied, 0, n - copied);
    return Status::Success;
}
POLYVM_OP(op_returndatasize) { sp[0] = st.return_data.size(); return Status::Success; }  // EIP-211
POLYVM_OP(op_returndatacopy) {                                                           // EIP-211
    const uint256 &dst = sp[-1], &src = sp[-2], &size = sp[-3];
    if (!touch_memory(gas, st.memory, dst, size) || !charge_copy(gas, size)) return Status::OutOfGas;
    // Reading past the end of the return data is an exceptional halt, even for zero bytes.
    if (!src.fits_u64() || !size.fits_u64() || src.low64() > st.return_data.size() ||
        size.low64() > st.return_data.size() - src.low64())
        return Status::InvalidMemoryAccess;
    if (size.low64())
        std::memcpy(st.memory.data() + dst.low64(), st.return_data.data() + src.low64(), size.low64());
    return Status::Success;
}
POLYVM_OP(op_extcodehash) {  // EIP-1052
    const Address addr = sp[-1].to_address();
    if (!charge_account_access(gas, st, addr)) return Status::OutOfGas;
    sp[-1] = uint256::from_hash(st.host.get_code_hash(addr));
    return Status::Success;
}

// ---- block (40s) ---------------------------------------------------------------------------

POLYVM_OP(op_blockhash) {
    const uint256& n = sp[-1];
    const uint64_t current = st.tx().block_number;
    // Only the 256 most recent complete blocks are visible.
    const uint64_t lowest = current > 256 ? current - 256 : 0;
    if (n.fits_u64() && n.low64() < current && n.low64() >= lowest)
        sp[-1] = uint256::from_hash(st.host.get_block_hash(n.low64()));
    else
        sp[-1] = 0;
    return Status::Success;
}
POLYVM_OP(op_coinbase) { sp[0] = uint256::from_address(st.tx().coinbase); return Status::Success; }
POLYVM_OP(op_timestamp) { sp[0] = st.tx().timestamp; return Status::Success; }
POLYVM_OP(op_number) { sp[0] = st.tx().block_number; return Status::Success; }
POLYVM_OP(op_prevrandao) { sp[0] = st.tx().prev_randao; return Status::Success; }  // EIP-4399
POLYVM_OP(op_gaslimit) { sp[0] = st.tx().block_gas_limit; return Status::Success; }
POLYVM_OP(op_chainid) { sp[0] = st.tx().chain_id; return Status::Success; }  // EIP-1344
POLYVM_OP(op_selfbalance) { sp[0] = st.host.get_balance(st.msg.recipient); return Status::Success; }  // EIP-1884
POLYVM_OP(op_basefee) { sp[0] = st.tx().base_fee; return Status::Success; }  // EIP-3198
POLYVM_OP(op_blobhash) {  // EIP-4844
    const uint256& index = sp[-1];
    const TxContext& tx = st.tx();
    if (index.fits_u64() && index.low64() < tx.blob_hashes_count)
        sp[-1] = uint256::from_hash(tx.blob_hashes[index.low64()]);
    else
        sp[-1] = 0;
    return Status::Success;
}
POLYVM_OP(op_blobbasefee) { sp[0] = st.tx().blob_base_fee; return Status::Success; }  // EIP-7516

// ---- stack, memory, storage (50s) ----------------------------------------------------------

POLYVM_OP(op_pop) { return Status::Success; }
POLYVM_OP(op_mload) {
    uint256& offset = sp[-1];
    if (!touch_memory<32>(gas, st.memory, offset)) return Status::OutOfGas;
    store_wide(offset, uint256::load_be(st.memory.data() + offset.low64()));
    return Status::Success;
}
POLYVM_OP(op_mstore) {
    const uint256& offset = sp[-1];
    if (!touch_memory<32>(gas, st.memory, offset)) return Status::OutOfGas;
    sp[-2].store_be(st.memory.data() + offset.low64());
    return Status::Success;
}
POLYVM_OP(op_mstore8) {
    const uint256& offset = sp[-1];
    if (!touch_memory<1>(gas, st.memory, offset)) return Status::OutOfGas;
    st.memory.data()[offset.low64()] = static_cast<uint8_t>(sp[-2].low64());
    return Status::Success;
}
POLYVM_OP(op_msize) { sp[0] = st.memory.size(); return Status::Success; }
POLYVM_OP(op_tload) {  // EIP-1153
    sp[-1] = st.host.get_transient_storage(st.msg.recipient, sp[-1]);
    return Status::Success;
}
POLYVM_OP(op_tstore) {  // EIP-1153
    if (st.msg.is_static) return Status::StaticModeViolation;
    st.host.set_transient_storage(st.msg.recipient, sp[-1], sp[-2]);
    return Status::Success;
}
POLYVM_OP(op_mcopy) {  // EIP-5656
    const uint256 &dst = sp[-1], &src = sp[-2], &size = sp[-3];
    // Expansion covers both regions; the cost telescopes, so touching one after the other
    // charges exactly the expansion to the larger end.
    if (!touch_memory(gas, st.memory, dst, size) || !touch_memory(gas, st.memory, src, size) ||
        !charge_copy(gas, size))
        return Status::OutOfGas;
    if (size.low64()) std::memmove(st.memory.data() + dst.low64(), st.memory.data() + src.low64(), size.low64());
    return Status::Success;
}

template <int N>
POLYVM_OP(op_dup) { sp[0] = sp[-N]; return Status::Success; }

template <int N>
POLYVM_OP(op_swap) { std::swap(sp[-1], sp[-1 - N]); return Status::Success; }

template <int N>
POLYVM_OP(op_log) {
    if (st.msg.is_static) return Status::StaticModeViolation;
    const uint256 &offset = sp[-1], &size = sp[-2];
    if (!touch_memory(gas, st.memory, offset, size)) return Status::OutOfGas;
    gas -= gas::kLogData * static_cast<int64_t>(size.low64());
    if (gas < 0) return Status::OutOfGas;
    Hash32 topics[N > 0 ? N : 1];
    for (int i = 0; i < N; ++i) topics[i] = sp[-3 - i].to_hash();
    const uint64_t n = size.low64();
    const bytes_view data = n ? bytes_view{st.memory.data() + offset.low64(), n} : bytes_view{};
    st.host.emit_log(st.msg.recipient, data, topics, N);
    return Status::Success;
}

// ---- storage -------------------------------------------------------------------------------

POLYVM_OP(op_sload) {
    uint256& key = sp[-1];
    // EIP-2929: a cold slot costs 2100 instead of the warm 100 charged as base gas.
    if (st.rev >= Revision::Berlin &&
        st.host.access_storage(st.msg.recipient, key) == AccessStatus::Cold) {
        gas -= gas::kColdSload - gas::kWarmAccess;
        if (gas < 0) return Status::OutOfGas;
    }
    key = st.host.get_storage(st.msg.recipient, key);
    return Status::Success;
}

/// SSTORE is long and has no fast path worth inlining; see instructions_storage.cpp.
OpResult sstore(uint256* sp, int64_t gas, ExecutionState& st);

// ---- halting -------------------------------------------------------------------------------

/// RETURN and REVERT: record the output region.
POLYVM_OP(op_return) {
    const uint256 &offset = sp[-1], &size = sp[-2];
    if (!touch_memory(gas, st.memory, offset, size)) return Status::OutOfGas;
    st.output_size = size.low64();
    st.output_offset = st.output_size ? offset.low64() : 0;
    return Status::Success;
}

OpResult selfdestruct(uint256* sp, int64_t gas, ExecutionState& st);

// ---- calls and creations (instructions_calls.cpp) -------------------------------------------

template <uint8_t Op>
OpResult call(uint256* sp, int64_t gas, ExecutionState& st);
template <uint8_t Op>
OpResult create(uint256* sp, int64_t gas, ExecutionState& st);

}  // namespace polyvm::instr
