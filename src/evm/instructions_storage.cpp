// SSTORE and SELFDESTRUCT: state-changing instructions with long per-revision gas rules,
// kept out of line (they are rare next to arithmetic and cost host calls anyway).
#include "evm/instructions.hpp"
#include "evm/storage_cost.hpp"

namespace polyvm::instr {

OpResult sstore(uint256* sp, int64_t gas, ExecutionState& st) {
    if (st.msg.is_static) return {Status::StaticModeViolation, gas};
    // EIP-2200 (Istanbul): SSTORE is refused when no more than the call stipend is left, so a
    // 2300-gas transfer can never write storage (re-entrancy guard for net metering).
    if (st.rev >= Revision::Istanbul && gas <= gas::kSstoreSentry) return {Status::OutOfGas, gas};

    const uint256& key = sp[-1];
    const uint256& value = sp[-2];
    int64_t cost = 0;
    // EIP-2929: a cold slot pays 2100 on top of the (warm-priced) store.
    if (st.rev >= Revision::Berlin && st.host.access_storage(st.msg.recipient, key) == AccessStatus::Cold)
        cost += gas::kColdSload;
    // Storing before charging is safe: if gas runs out the frame fails and its state is reverted.
    const StorageStatus status = st.host.set_storage(st.msg.recipient, key, value);
    const SstoreCost c = sstore_cost(st.rev, status);
    gas -= cost + c.gas;
    if (gas < 0) return {Status::OutOfGas, gas};
    st.gas_refund += c.refund;
    return {Status::Success, gas};
}

OpResult selfdestruct(uint256* sp, int64_t gas, ExecutionState& st) {
    if (st.msg.is_static) return {Status::StaticModeViolation, gas};
    const Address beneficiary = sp[-1].to_address();
    // EIP-2929: cold beneficiary +2600; a warm one costs nothing extra.
    if (st.rev >= Revision::Berlin && st.host.access_account(beneficiary) == AccessStatus::Cold)
        gas -= gas::kColdAccountAccess;
    // EIP-150 priced sending the balance to a new account; EIP-158 only when there is a balance
    // to send and the beneficiary is dead (non-existent or empty).
    if (st.rev >= Revision::SpuriousDragon) {
        if (!st.host.get_balance(st.msg.recipient).is_zero() && !st.host.account_exists(beneficiary))
            gas -= gas::kNewAccount;
    } else if (st.rev >= Revision::TangerineWhistle) {
        if (!st.host.account_exists(beneficiary)) gas -= gas::kNewAccount;
    }
    if (gas < 0) return {Status::OutOfGas, gas};
    // Only the first self-destruct of an account earns the refund; EIP-3529 (London) removed it.
    if (st.host.selfdestruct(st.msg.recipient, beneficiary) && st.rev < Revision::London)
        st.gas_refund += gas::kSelfdestructRefund;
    return {Status::Success, gas};
}

}  // namespace polyvm::instr
