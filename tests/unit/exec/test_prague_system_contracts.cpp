// Block-level system calls (EIP-4788, EIP-2935, EIP-7002, EIP-7251) and requests (EIP-6110,
// EIP-7685). The system contracts here are small hand-written stand-ins with the same calling
// convention as the real predeploys: what is under test is how they are called.
#include "common/hex.hpp"
#include "crypto/hashes.hpp"
#include "exec/system_contracts.hpp"

#include <gtest/gtest.h>

using namespace polyvm;

namespace {
BlockInfo block() {
    BlockInfo b;
    b.number = 100;
    b.timestamp = 1234;
    b.gas_limit = 30'000'000;
    b.base_fee = 7;
    b.prev_randao = Hash32{};
    return b;
}

Hash32 word_of(uint8_t v) {
    Hash32 h;
    h[31] = v;
    return h;
}

// SSTORE(TIMESTAMP, CALLDATALOAD(0)); SSTORE(0x100, CALLER); SSTORE(0x101, GAS); SSTORE(0x102, ORIGIN)
const bytes kRecorder = *from_hex("600035425533610100555a61010155326101025500");
// RETURN the two bytes 0xabcd.
const bytes kReturnsAbcd = *from_hex("61abcd60005260026000601e01f3");
// RETURN nothing.
const bytes kReturnsNothing = *from_hex("00");
// REVERT(0, 0).
const bytes kReverts = *from_hex("60006000fd");

void deploy(State& s, const Address& a, const bytes& code) {
    Account acc;
    acc.nonce = 1;
    s.set_code(acc, code);
    s.put_account(a, acc);
}

uint256 slot(const State& s, const Address& a, const uint256& key) {
    const Account* acc = s.find(a);
    if (!acc) return {};
    const auto it = acc->storage.find(key);
    return it == acc->storage.end() ? uint256{} : it->second.current;
}

/// A DepositEvent's data with the exact EIP-6110 ABI layout; `fill` marks every content byte.
bytes deposit_event_data(uint8_t fill) {
    bytes d(576, 0);
    const size_t offsets[5] = {160, 256, 320, 384, 512};
    const size_t sizes[5] = {48, 32, 8, 96, 8};
    for (size_t i = 0; i < 5; ++i) {
        uint256{offsets[i]}.store_be(d.data() + 32 * i);
        uint256{sizes[i]}.store_be(d.data() + offsets[i]);
        for (size_t k = 0; k < sizes[i]; ++k) d[offsets[i] + 32 + k] = static_cast<uint8_t>(fill + i);
    }
    return d;
}

Log deposit_log(const bytes& data) {
    return Log{kMainnetDepositContractAddress,
               {*hash_from_hex("0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5")}, data};
}
}  // namespace

TEST(PragueSystemContracts, Addresses) {
    EXPECT_EQ(to_hex_prefixed(kSystemAddress), "0xfffffffffffffffffffffffffffffffffffffffe");
    EXPECT_EQ(to_hex_prefixed(kBeaconRootsAddress), "0x000f3df6d732807ef1319fb7b8bb8522d0beac02");
    EXPECT_EQ(to_hex_prefixed(kHistoryStorageAddress), "0x0000f90827f1c53a10cb7a02335b175320002935");
    EXPECT_EQ(to_hex_prefixed(kWithdrawalRequestAddress), "0x00000961ef480eb55e80d19ad83579a64c007002");
    EXPECT_EQ(to_hex_prefixed(kConsolidationRequestAddress), "0x0000bbddc7ce488642fb579f8b00f3a590007251");
}

TEST(PragueSystemContracts, BlockStartCallsRunAsTheSystemAddress) {
    State s;
    deploy(s, kBeaconRootsAddress, kRecorder);
    deploy(s, kHistoryStorageAddress, kRecorder);
    apply_block_start_system_calls(s, block(), Revision::Prague, word_of(0x42), word_of(0x43));
    // EIP-4788: the parent beacon root; EIP-2935: the parent hash (both recorded by timestamp here).
    EXPECT_EQ(slot(s, kBeaconRootsAddress, uint256{1234}), uint256{0x42});
    EXPECT_EQ(slot(s, kHistoryStorageAddress, uint256{1234}), uint256{0x43});
    for (const Address& a : {kBeaconRootsAddress, kHistoryStorageAddress}) {
        EXPECT_EQ(slot(s, a, uint256{0x100}), uint256::from_address(kSystemAddress));  // CALLER
        EXPECT_EQ(slot(s, a, uint256{0x102}), uint256::from_address(kSystemAddress));  // ORIGIN
        // GAS at that point: 30M minus two SSTOREs to new cold slots (2 x 22100) and a few pushes.
        const uint256 gas = slot(s, a, uint256{0x101});
        EXPECT_GT(gas, uint256{kSystemCallGas - 44300});
        EXPECT_LT(gas, uint256{kSystemCallGas});
    }
    // The system address is never created or charged.
    EXPECT_EQ(s.find(kSystemAddress), nullptr);
}

TEST(PragueSystemContracts, HistoryStorageOnlyFromPrague) {
    State s;
    deploy(s, kBeaconRootsAddress, kRecorder);
    deploy(s, kHistoryStorageAddress, kRecorder);
    apply_block_start_system_calls(s, block(), Revision::Cancun, word_of(0x42), word_of(0x43));
    EXPECT_EQ(slot(s, kBeaconRootsAddress, uint256{1234}), uint256{0x42});
    EXPECT_EQ(slot(s, kHistoryStorageAddress, uint256{1234}), uint256{});
}

TEST(PragueSystemContracts, UncheckedCallsToleratesMissingCodeAndFailure) {
    State s;  // nothing deployed: a no-op, nothing created
    apply_block_start_system_calls(s, block(), Revision::Prague, word_of(1), word_of(2));
    EXPECT_EQ(s.find(kBeaconRootsAddress), nullptr);
    EXPECT_EQ(s.find(kHistoryStorageAddress), nullptr);
    deploy(s, kBeaconRootsAddress, kReverts);
    const auto r = system_call(s, block(), Revision::Prague, kBeaconRootsAddress, word_of(1), false);
    EXPECT_FALSE(r.error);
}

TEST(PragueSystemContracts, RequestsFromQueuesAndDeposits) {
    State s;
    deploy(s, kWithdrawalRequestAddress, kReturnsAbcd);
    deploy(s, kConsolidationRequestAddress, kReturnsNothing);
    const std::vector<Log> logs = {deposit_log(deposit_event_data(0x10))};
    const auto r = collect_block_requests(s, block(), Revision::Prague, logs);
    ASSERT_FALSE(r.error) << *r.error;
    ASSERT_EQ(r.requests.size(), 2u);  // deposits, withdrawals; the empty consolidations are left out
    EXPECT_EQ(r.requests[0].size(), 1u + 192u);
    EXPECT_EQ(r.requests[0][0], kDepositRequestType);
    EXPECT_EQ(r.requests[0][1], 0x10);    // pubkey
    EXPECT_EQ(r.requests[0][49], 0x11);   // withdrawal credentials
    EXPECT_EQ(r.requests[0][81], 0x12);   // amount
    EXPECT_EQ(r.requests[0][89], 0x13);   // signature
    EXPECT_EQ(r.requests[0][185], 0x14);  // index
    EXPECT_EQ(to_hex(r.requests[1]), "01abcd");
}

TEST(PragueSystemContracts, CheckedCallsInvalidateTheBlock) {
    {
        State s;  // no withdrawal contract
        deploy(s, kConsolidationRequestAddress, kReturnsNothing);
        EXPECT_TRUE(collect_block_requests(s, block(), Revision::Prague, {}).error);
    }
    {
        State s;
        deploy(s, kWithdrawalRequestAddress, kReturnsNothing);
        deploy(s, kConsolidationRequestAddress, kReverts);
        EXPECT_TRUE(collect_block_requests(s, block(), Revision::Prague, {}).error);
    }
    {
        State s;  // before Prague there are no requests at all
        EXPECT_FALSE(collect_block_requests(s, block(), Revision::Cancun, {}).error);
    }
}

TEST(PragueSystemContracts, MalformedDepositEventInvalidatesTheBlock) {
    EXPECT_TRUE(parse_deposit_requests({deposit_log(deposit_event_data(1))}, kMainnetDepositContractAddress));
    bytes short_data = deposit_event_data(1);
    short_data.pop_back();
    EXPECT_FALSE(parse_deposit_requests({deposit_log(short_data)}, kMainnetDepositContractAddress));
    bytes bad_offset = deposit_event_data(1);
    bad_offset[31] = 161;  // pubkey offset
    EXPECT_FALSE(parse_deposit_requests({deposit_log(bad_offset)}, kMainnetDepositContractAddress));
    bytes bad_size = deposit_event_data(1);
    bad_size[320 + 31] = 9;  // amount size
    EXPECT_FALSE(parse_deposit_requests({deposit_log(bad_size)}, kMainnetDepositContractAddress));
    // Other contracts' events with the same signature are not deposits.
    Log other = deposit_log(short_data);
    other.address[0] ^= 1;
    const auto none = parse_deposit_requests({other}, kMainnetDepositContractAddress);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST(PragueSystemContracts, RequestsHash) {
    // No requests: sha256 of nothing.
    EXPECT_EQ(to_hex(requests_hash({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // One request: sha256(sha256(r)); type-only entries do not count.
    const bytes r = *from_hex("01abcd");
    const Hash32 inner = sha256(r);
    EXPECT_EQ(requests_hash({r}), sha256(inner));
    EXPECT_EQ(requests_hash({bytes{0x00}, r}), sha256(inner));
}
