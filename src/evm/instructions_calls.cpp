// The CALL family and CREATE/CREATE2: the interpreter's half of a nested frame. Here the caller's
// costs are charged and the message is built; the host runs the frame (value transfer,
// snapshots, precompiles, address derivation, code deposit).
#include "evm/instructions.hpp"

namespace polyvm::instr {

template <uint8_t Op>
OpResult call(uint256* sp, int64_t gas, ExecutionState& st) {
    static_assert(Op == OP_CALL || Op == OP_CALLCODE || Op == OP_DELEGATECALL || Op == OP_STATICCALL);
    constexpr bool kHasValue = Op == OP_CALL || Op == OP_CALLCODE;
    constexpr int kInputs = kOpcodeTable[Op].inputs;

    const uint256 gas_requested = sp[-1];
    const Address target = sp[-2].to_address();
    const uint256 value = kHasValue ? sp[-3] : uint256{};
    const int args = kHasValue ? 4 : 3;
    const uint256 in_offset = sp[-args], in_size = sp[-args - 1];
    const uint256 out_offset = sp[-args - 2], out_size = sp[-args - 3];
    uint256& result = sp[-kInputs];
    const bool transfers_value = kHasValue && !value.is_zero();

    // EIP-214: a static frame may not send value.
    if (Op == OP_CALL && transfers_value && st.msg.is_static) return {Status::StaticModeViolation, gas};

    if (!touch_memory(gas, st.memory, in_offset, in_size) || !touch_memory(gas, st.memory, out_offset, out_size))
        return {Status::OutOfGas, gas};

    int64_t extra = 0;
    if (st.rev >= Revision::Berlin && st.host.access_account(target) == AccessStatus::Cold)
        extra += gas::kColdAccountAccess - gas::kWarmAccess;  // EIP-2929; warm 100 is the base gas
    // EIP-7702 (Prague): a call to a delegated account runs the delegate's code, and loading that
    // code is one more account access: warm 100 or cold 2600 on top of the target's own.
    if (st.rev >= Revision::Prague) {
        if (const auto delegate = st.host.get_delegation(target))
            extra += st.host.access_account(*delegate) == AccessStatus::Cold ? gas::kColdAccountAccess : gas::kWarmAccess;
    }
    if (transfers_value) extra += gas::kCallValue;
    if constexpr (Op == OP_CALL) {
        // EIP-158 (Spurious Dragon): only a value transfer to a dead account creates it.
        // Before, calling any non-existent account paid for its creation.
        if (st.rev >= Revision::SpuriousDragon) {
            if (transfers_value && !st.host.account_exists(target)) extra += gas::kNewAccount;
        } else if (!st.host.account_exists(target)) {
            extra += gas::kNewAccount;
        }
    }
    gas -= extra;
    if (gas < 0) return {Status::OutOfGas, gas};

    int64_t child_gas;
    if (st.rev >= Revision::TangerineWhistle) {
        // EIP-150: forward at most all but one 64th of what is left.
        const int64_t cap = gas - gas / 64;
        child_gas = gas_requested < uint256{static_cast<uint64_t>(cap)} ? static_cast<int64_t>(gas_requested.low64()) : cap;
    } else {
        // Before EIP-150 the requested gas is charged in full, or the frame is out of gas.
        if (gas_requested > uint256{static_cast<uint64_t>(gas)}) return {Status::OutOfGas, gas};
        child_gas = static_cast<int64_t>(gas_requested.low64());
    }
    gas -= child_gas;
    if (transfers_value) child_gas += gas::kCallStipend;  // free for the caller: unused stipend returns

    st.return_data.clear();
    result = 0;
    // A call that cannot start is not an exception: it pushes 0 and gives the gas back.
    if (st.msg.depth >= gas::kMaxCallDepth) return {Status::Success, gas + child_gas};
    if (transfers_value && st.host.get_balance(st.msg.recipient) < value) return {Status::Success, gas + child_gas};

    Message msg;
    msg.depth = st.msg.depth + 1;
    msg.gas = child_gas;
    msg.code_address = target;
    msg.input = in_size.is_zero() ? bytes_view{} : bytes_view{st.memory.data() + in_offset.low64(), in_size.low64()};
    msg.is_static = st.msg.is_static || Op == OP_STATICCALL;
    switch (Op) {
    case OP_CALL:
    case OP_STATICCALL:
        msg.kind = CallKind::Call;
        msg.recipient = target;
        msg.sender = st.msg.recipient;
        msg.value = value;
        break;
    case OP_CALLCODE:  // runs target's code on our own account
        msg.kind = CallKind::CallCode;
        msg.recipient = st.msg.recipient;
        msg.sender = st.msg.recipient;
        msg.value = value;
        break;
    case OP_DELEGATECALL:  // EIP-7: also keeps our caller and call value
        msg.kind = CallKind::DelegateCall;
        msg.recipient = st.msg.recipient;
        msg.sender = st.msg.sender;
        msg.value = st.msg.value;
        break;
    }

    ExecutionResult r = st.host.call(msg);
    st.return_data = std::move(r.output);
    const size_t copy = std::min<uint64_t>(out_size.low64(), st.return_data.size());
    if (copy) std::memcpy(st.memory.data() + out_offset.low64(), st.return_data.data(), copy);
    gas += r.gas_left;
    if (r.status == Status::Success) {
        st.gas_refund += r.gas_refund;  // refunds of failed or reverted frames are dropped
        result = 1;
    }
    return {Status::Success, gas};
}

template <uint8_t Op>
OpResult create(uint256* sp, int64_t gas, ExecutionState& st) {
    static_assert(Op == OP_CREATE || Op == OP_CREATE2);
    constexpr int kInputs = kOpcodeTable[Op].inputs;

    if (st.msg.is_static) return {Status::StaticModeViolation, gas};  // EIP-214
    const uint256 value = sp[-1], offset = sp[-2], size = sp[-3];
    const Hash32 salt = Op == OP_CREATE2 ? sp[-4].to_hash() : Hash32{};
    uint256& result = sp[-kInputs];

    if (!touch_memory(gas, st.memory, offset, size)) return {Status::OutOfGas, gas};
    const uint64_t n = size.low64();
    if (st.rev >= Revision::Shanghai) {
        // EIP-3860: initcode is limited to 49152 bytes and costs 2 gas per word.
        if (n > gas::kMaxInitcodeSize) return {Status::InitcodeSizeExceeded, gas};
        gas -= gas::kInitcodeWord * static_cast<int64_t>(num_words(n));
    }
    if constexpr (Op == OP_CREATE2) gas -= gas::kKeccakWord * static_cast<int64_t>(num_words(n));  // EIP-1014
    if (gas < 0) return {Status::OutOfGas, gas};

    st.return_data.clear();
    result = 0;
    // EIP-150: the creation gets all but one 64th; before, everything.
    const int64_t child_gas = st.rev >= Revision::TangerineWhistle ? gas - gas / 64 : gas;
    gas -= child_gas;
    if (st.msg.depth >= gas::kMaxCallDepth) return {Status::Success, gas + child_gas};
    if (!value.is_zero() && st.host.get_balance(st.msg.recipient) < value) return {Status::Success, gas + child_gas};

    Message msg;
    msg.kind = Op == OP_CREATE2 ? CallKind::Create2 : CallKind::Create;
    msg.depth = st.msg.depth + 1;
    msg.gas = child_gas;
    msg.sender = st.msg.recipient;
    msg.value = value;
    msg.input = n ? bytes_view{st.memory.data() + offset.low64(), n} : bytes_view{};
    msg.create2_salt = salt;

    ExecutionResult r = st.host.call(msg);
    gas += r.gas_left;
    if (r.status == Status::Success) {
        st.gas_refund += r.gas_refund;
        result = uint256::from_address(r.create_address);
    } else if (r.status == Status::Revert) {
        st.return_data = std::move(r.output);  // only a reverted initcode leaves return data
    }
    return {Status::Success, gas};
}

template OpResult call<OP_CALL>(uint256*, int64_t, ExecutionState&);
template OpResult call<OP_CALLCODE>(uint256*, int64_t, ExecutionState&);
template OpResult call<OP_DELEGATECALL>(uint256*, int64_t, ExecutionState&);
template OpResult call<OP_STATICCALL>(uint256*, int64_t, ExecutionState&);
template OpResult create<OP_CREATE>(uint256*, int64_t, ExecutionState&);
template OpResult create<OP_CREATE2>(uint256*, int64_t, ExecutionState&);

}  // namespace polyvm::instr
