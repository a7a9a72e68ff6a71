// Osaka precompile changes: EIP-7951 P256VERIFY at 0x100, EIP-7823 modexp input bounds, EIP-7883
// modexp repricing, and the transaction-start warm-up of every active precompile.
#include "common/hex.hpp"
#include "exec/transaction_execution.hpp"
#include "precompiles/precompiles.hpp"

#include <gtest/gtest.h>

using namespace polyvm;

namespace {
Address precompile(uint16_t n) {
    Address a;
    a[18] = static_cast<uint8_t>(n >> 8);
    a[19] = static_cast<uint8_t>(n);
    return a;
}

// The valid P-256 vector of tests/unit/crypto/test_p256.cpp: hash ‖ r ‖ s ‖ qx ‖ qy.
const bytes kP256Valid = *from_hex(
    "021569c3219c82a483e18a151878ee626dbc0aca15a90b4af70772f780b2beb7"
    "785a296d713a5acdfc9da59789fc684159ff76dce9e688532132291efd4cd5e8"
    "9a53a14eafe27c2df35d132cb4bd470eac30efad071a7e82db87d9ec9e3ca773"
    "36936e15f1c5271feca60d3d1d4ac7057359e5c6539d90528358feea5bf79424"
    "ae3ab56606312cee94611e28dad3b5a95b6e1316775d20d6e7be6098a6d8dd58");

/// modexp input with the given lengths; base and modulus bytes 0x03, the exponent `exp`.
bytes modexp_input(uint64_t base_len, const bytes& exp, uint64_t mod_len) {
    bytes in(96, 0);
    uint256{base_len}.store_be(in.data());
    uint256{exp.size()}.store_be(in.data() + 32);
    uint256{mod_len}.store_be(in.data() + 64);
    in.insert(in.end(), base_len, 0x03);
    in.insert(in.end(), exp.begin(), exp.end());
    in.insert(in.end(), mod_len, 0x07);
    return in;
}

int64_t modexp_cost(const bytes& in, Revision rev) {
    constexpr int64_t kGas = 10'000'000;
    const auto r = run_precompile(precompile(5), in, kGas, rev);
    EXPECT_EQ(r.status, Status::Success);
    return kGas - r.gas_left;
}
}  // namespace

TEST(OsakaP256Verify, ActiveFromOsaka) {
    EXPECT_FALSE(is_precompile(precompile(0x100), Revision::Prague));
    EXPECT_TRUE(is_precompile(precompile(0x100), Revision::Osaka));
    EXPECT_TRUE(is_precompile(precompile(0x100), Revision::BPO2));
}

TEST(OsakaP256Verify, ValidSignatureReturnsOne) {
    const auto r = run_precompile(precompile(0x100), kP256Valid, 10'000, Revision::Osaka);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.gas_left, 10'000 - 6900);
    EXPECT_EQ(to_hex(r.output), "0000000000000000000000000000000000000000000000000000000000000001");
}

TEST(OsakaP256Verify, InvalidInputIsEmptyOutputNotFailure) {
    bytes off_curve = kP256Valid;
    off_curve[159] ^= 1;
    bytes r_zero = kP256Valid;
    std::fill(r_zero.begin() + 32, r_zero.begin() + 64, 0);
    bytes short_input = kP256Valid;
    short_input.pop_back();
    for (const bytes& in : {off_curve, r_zero, short_input, bytes{}}) {
        const auto r = run_precompile(precompile(0x100), in, 10'000, Revision::Osaka);
        EXPECT_EQ(r.status, Status::Success);
        EXPECT_EQ(r.gas_left, 10'000 - 6900);  // the gas is charged all the same
        EXPECT_TRUE(r.output.empty());
    }
}

TEST(OsakaP256Verify, OutOfGas) {
    const auto r = run_precompile(precompile(0x100), kP256Valid, 6899, Revision::Osaka);
    EXPECT_EQ(r.status, Status::OutOfGas);
    EXPECT_EQ(r.gas_left, 0);
}

TEST(OsakaModExp, OversizeOperandFailsFromOsaka) {
    // EIP-7823: 1024 bytes is the largest allowed length of each operand.
    for (const bytes& in : {modexp_input(1025, {0x01}, 32), modexp_input(32, {0x01}, 1025),
                            modexp_input(32, bytes(1025, 0x01), 32)}) {
        const auto osaka = run_precompile(precompile(5), in, 100'000'000, Revision::Osaka);
        EXPECT_EQ(osaka.status, Status::PrecompileFailure);
        EXPECT_EQ(osaka.gas_left, 0);
        EXPECT_EQ(run_precompile(precompile(5), in, 100'000'000, Revision::Prague).status, Status::Success);
    }
    // The bound is on the declared length, even when the input is shorter than declared.
    bytes declared_only(96, 0);
    uint256{1025}.store_be(declared_only.data());
    EXPECT_EQ(run_precompile(precompile(5), declared_only, 100'000'000, Revision::Osaka).status,
              Status::PrecompileFailure);
    EXPECT_EQ(run_precompile(precompile(5), modexp_input(1024, {0x01}, 1024), 100'000'000, Revision::Osaka).status,
              Status::Success);
}

TEST(OsakaModExp, Eip7883Pricing) {
    // Small operands: EIP-2565 floors at 200, EIP-7883 at 500.
    EXPECT_EQ(modexp_cost(modexp_input(32, {0x03}, 32), Revision::Prague), 200);
    EXPECT_EQ(modexp_cost(modexp_input(32, {0x03}, 32), Revision::Osaka), 500);
    // 64-byte operands, 32-byte all-ones exponent (255 iterations):
    // EIP-2565: 8^2 * 255 / 3 = 5440; EIP-7883: 2 * 8^2 * 255 = 32640.
    EXPECT_EQ(modexp_cost(modexp_input(64, bytes(32, 0xff), 64), Revision::Prague), 5440);
    EXPECT_EQ(modexp_cost(modexp_input(64, bytes(32, 0xff), 64), Revision::Osaka), 32640);
    // 40-byte exponent with a zero head: 16 iterations per byte past 32 (EIP-2565: 8).
    // EIP-2565: 64 * 64 / 3 = 1365; EIP-7883: 128 * 128 = 16384.
    EXPECT_EQ(modexp_cost(modexp_input(64, bytes(40, 0x00), 64), Revision::Prague), 1365);
    EXPECT_EQ(modexp_cost(modexp_input(64, bytes(40, 0x00), 64), Revision::Osaka), 16384);
    // 33-byte operands leave the flat complexity of 16: 2 * ceil(33/8)^2 = 50, times 1 -> 500 floor;
    // with a 32-byte all-ones exponent 50 * 255 = 12750.
    EXPECT_EQ(modexp_cost(modexp_input(33, bytes(32, 0xff), 33), Revision::Osaka), 12750);
    EXPECT_EQ(modexp_cost(modexp_input(32, bytes(32, 0xff), 32), Revision::Osaka), 16 * 255);
}

namespace {
const Address kSender = [] {
    Address a;
    a[19] = 0xaa;
    return a;
}();

/// Gas used by a transaction calling a contract that does BALANCE(target) once.
int64_t balance_probe_gas(const Address& target, Revision rev) {
    State s;
    Account sender;
    sender.balance = uint256{1'000'000'000'000ULL};
    s.put_account(kSender, sender);
    bytes code = {0x73};
    code.insert(code.end(), target.data(), target.data() + 20);
    code.insert(code.end(), {0x31, 0x00});  // BALANCE STOP
    Account probe;
    s.set_code(probe, code);
    Address probe_address;
    probe_address[19] = 0x55;
    s.put_account(probe_address, probe);
    BlockInfo b;
    b.number = 1;
    b.gas_limit = 30'000'000;
    b.base_fee = 1;
    b.prev_randao = Hash32{};
    Transaction tx;
    tx.type = TransactionType::DynamicFee;
    tx.chain_id = 1;
    tx.max_fee_per_gas = 1;
    tx.gas_price = 1;
    tx.gas_limit = 100'000;
    tx.to = probe_address;
    tx.sender = kSender;
    const auto out = execute_transaction(s, b, tx, rev, 1);
    EXPECT_FALSE(out.rejection);
    return out.gas_used;
}
}  // namespace

TEST(OsakaPrecompiles, ActivePrecompilesStartWarm) {
    // EIP-2929 warm-up covers every precompile of the fork: 0x0b-0x11 from Prague (EIP-2537),
    // 0x100 from Osaka (EIP-7951). A cold BALANCE costs 2600, a warm one 100.
    EXPECT_EQ(balance_probe_gas(precompile(0x0b), Revision::Cancun) -
                  balance_probe_gas(precompile(0x0b), Revision::Prague),
              2500);
    EXPECT_EQ(balance_probe_gas(precompile(0x11), Revision::Cancun) -
                  balance_probe_gas(precompile(0x11), Revision::Prague),
              2500);
    EXPECT_EQ(balance_probe_gas(precompile(0x100), Revision::Prague) -
                  balance_probe_gas(precompile(0x100), Revision::Osaka),
              2500);
    EXPECT_EQ(balance_probe_gas(precompile(0x12), Revision::Prague),
              balance_probe_gas(precompile(0x12), Revision::Osaka));  // not a precompile
}
