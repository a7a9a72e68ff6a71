// Osaka transaction and blob rules: EIP-7825 gas limit cap, EIP-7594 per-transaction blob limit,
// EIP-7918 excess blob gas bound, the BPO1/BPO2 schedules, and EIP-7939 CLZ's activation. Also
// the fork table that drives the blob limits (EIP-7691 for Prague).
#include "common/revision.hpp"
#include "evm/opcodes.hpp"
#include "exec/transaction_execution.hpp"

#include <gtest/gtest.h>

using namespace polyvm;

namespace {
const Address kSender = [] {
    Address a;
    a[19] = 0xaa;
    return a;
}();

BlockInfo block() {
    BlockInfo b;
    b.number = 1;
    b.gas_limit = 60'000'000;
    b.base_fee = 1;
    b.prev_randao = Hash32{};
    return b;
}

State pre() {
    State s;
    Account a;
    a.balance = uint256{1} << 100;
    s.put_account(kSender, a);
    return s;
}

Transaction blob_tx(size_t blobs) {
    Transaction tx;
    tx.type = TransactionType::Blob;
    tx.chain_id = 1;
    tx.max_fee_per_gas = 1;
    tx.gas_price = 1;
    tx.max_fee_per_blob_gas = 1'000'000;
    tx.gas_limit = 21000;
    Address to;
    to[19] = 0x77;
    tx.to = to;
    for (size_t i = 0; i < blobs; ++i) {
        Hash32 h;
        h[0] = kBlobCommitmentVersionKzg;
        h[31] = static_cast<uint8_t>(i);
        tx.blob_versioned_hashes.push_back(h);
    }
    tx.sender = kSender;
    return tx;
}

std::string rejection(const Transaction& tx, Revision rev, const BlockInfo& b = block()) {
    State s = pre();
    const auto out = execute_transaction(s, b, tx, rev, 1);
    return out.rejection ? out.rejection->rule : "";
}
}  // namespace

TEST(OsakaForkTable, BlobSchedulesComeFromTheTable) {
    EXPECT_FALSE(default_blob_schedule(Revision::Shanghai));
    EXPECT_EQ(*default_blob_schedule(Revision::Cancun), (BlobSchedule{3, 6, 3338477}));
    EXPECT_EQ(*default_blob_schedule(Revision::Prague), (BlobSchedule{6, 9, 5007716}));  // EIP-7691
    EXPECT_EQ(*default_blob_schedule(Revision::Osaka), (BlobSchedule{6, 9, 5007716}));
    EXPECT_EQ(*default_blob_schedule(Revision::BPO1), (BlobSchedule{10, 15, 8346193}));
    EXPECT_EQ(*default_blob_schedule(Revision::BPO2), (BlobSchedule{14, 21, 11684671}));
    EXPECT_EQ(default_max_blobs_per_block(Revision::BPO2), 21u);
    EXPECT_EQ(default_max_blobs_per_block(Revision::London), 0u);
}

TEST(OsakaForkTable, NamesAndOrder) {
    EXPECT_EQ(parse_revision("bpo1"), Revision::BPO1);
    EXPECT_EQ(parse_revision("BPO2"), Revision::BPO2);
    EXPECT_EQ(parse_revision("fusaka"), Revision::Osaka);
    EXPECT_EQ(parse_revision("PRAGUE"), Revision::Prague);
    EXPECT_EQ(parse_revision("BPO3"), Revision::BPO3);
    EXPECT_FALSE(parse_revision("BPO6"));
    EXPECT_NE(known_revision_names().find("BPO2"), std::string::npos);
    EXPECT_EQ(revision_name(Revision::BPO1), "BPO1");
    EXPECT_TRUE(Revision::BPO1 > Revision::Osaka);  // BPO forks keep every Osaka rule
    EXPECT_EQ(kLatestRevision, Revision::BPO5);
    const auto table = revision_table();
    ASSERT_EQ(table.size(), static_cast<size_t>(kNumRevisions));
    for (size_t i = 0; i < table.size(); ++i) EXPECT_EQ(static_cast<size_t>(table[i].revision), i);
}

TEST(OsakaForkTable, ConfigOverridesTheDefault) {
    BlockInfo b = block();
    EXPECT_EQ(blob_schedule_for(b, Revision::BPO1)->max, 15u);
    b.blob_schedule = BlobSchedule{1, 2, 3000000};
    EXPECT_EQ(blob_schedule_for(b, Revision::BPO1)->max, 2u);
    EXPECT_FALSE(blob_schedule_for(b, Revision::Shanghai));
    // The per-block maximum is enforced from the schedule in force.
    EXPECT_EQ(rejection(blob_tx(3), Revision::Prague, b), "TYPE_3_TX_BLOB_COUNT_EXCEEDED");
    EXPECT_EQ(rejection(blob_tx(2), Revision::Prague, b), "");
    EXPECT_EQ(rejection(blob_tx(3), Revision::BPO1, b), "TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED");
}

TEST(OsakaBlobs, PerTransactionLimitIsSix) {
    // EIP-7594 (Osaka): at most 6 blobs in one transaction, whatever the block allows.
    EXPECT_EQ(rejection(blob_tx(6), Revision::Osaka), "");
    EXPECT_EQ(rejection(blob_tx(7), Revision::Osaka), "TYPE_3_TX_BLOB_COUNT_EXCEEDED");
    EXPECT_EQ(rejection(blob_tx(7), Revision::BPO2), "TYPE_3_TX_BLOB_COUNT_EXCEEDED");
    // Over the block's limit (9) too: execution-specs checks the block's blob gas allowance first.
    EXPECT_EQ(rejection(blob_tx(10), Revision::Osaka), "TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED");
    // Prague only has the block limit (9), and one transaction over it has too many blobs.
    EXPECT_EQ(rejection(blob_tx(7), Revision::Prague), "");
    EXPECT_EQ(rejection(blob_tx(10), Revision::Prague), "TYPE_3_TX_BLOB_COUNT_EXCEEDED");
    EXPECT_EQ(rejection(blob_tx(7), Revision::Cancun), "TYPE_3_TX_BLOB_COUNT_EXCEEDED");
}

TEST(OsakaBlobs, BlobFeeUsesTheForkFraction) {
    // The same excess blob gas prices blobs lower under a larger update fraction.
    BlockInfo b = block();
    b.excess_blob_gas = 10'000'000;
    const auto paid = [&](Revision rev) {
        State s = pre();
        const auto out = execute_transaction(s, b, blob_tx(1), rev, 1);
        EXPECT_FALSE(out.rejection);
        return (uint256{1} << 100) - s.find(kSender)->balance - uint256{21000};
    };
    EXPECT_EQ(paid(Revision::Osaka), uint256{kGasPerBlob} * blob_base_fee(10'000'000, 5007716));
    EXPECT_EQ(paid(Revision::BPO1), uint256{kGasPerBlob} * blob_base_fee(10'000'000, 8346193));
    EXPECT_EQ(paid(Revision::BPO2), uint256{kGasPerBlob} * blob_base_fee(10'000'000, 11684671));
    EXPECT_GT(paid(Revision::Osaka), paid(Revision::BPO1));
}

TEST(OsakaBlobs, Eip7918ExcessBlobGasBound) {
    const BlobSchedule s{6, 9, 5007716};
    const uint64_t seven_blobs = 7 * kGasPerBlob;
    ParentBlobInfo parent{0, seven_blobs, uint256{100}};
    // Reserve price 8192 * 100 > blob price 131072 * 1: the target is not subtracted; the excess
    // grows by used * (max - target) / max.
    EXPECT_EQ(calc_excess_blob_gas(parent, s, Revision::Osaka), seven_blobs * 3 / 9);
    // Prague ignores the execution base fee.
    EXPECT_EQ(calc_excess_blob_gas(parent, s, Revision::Prague), seven_blobs - 6 * kGasPerBlob);
    // A cheap execution base fee: the ordinary rule in Osaka too.
    parent.base_fee = 1;
    EXPECT_EQ(calc_excess_blob_gas(parent, s, Revision::Osaka), seven_blobs - 6 * kGasPerBlob);
    // Below the target the excess resets to zero.
    parent = ParentBlobInfo{0, 5 * kGasPerBlob, uint256{1'000'000}};
    EXPECT_EQ(calc_excess_blob_gas(parent, s, Revision::Osaka), 0u);
}

TEST(OsakaTransactions, GasLimitCap) {
    // EIP-7825: 2^24 is the most one transaction may ask for.
    Transaction tx = blob_tx(1);
    tx.type = TransactionType::DynamicFee;
    tx.blob_versioned_hashes.clear();
    tx.gas_limit = (uint64_t{1} << 24) + 1;
    EXPECT_EQ(rejection(tx, Revision::Osaka), "GAS_LIMIT_EXCEEDS_MAXIMUM");
    EXPECT_EQ(rejection(tx, Revision::Prague), "");
    tx.gas_limit = uint64_t{1} << 24;
    EXPECT_EQ(rejection(tx, Revision::Osaka), "");
}

TEST(OsakaOpcodes, ClzFromOsakaAtFiveGas) {
    // EIP-7939.
    EXPECT_FALSE(is_defined(OP_CLZ, Revision::Prague));
    EXPECT_EQ(gas_table(Revision::Osaka)[OP_CLZ], 5);
    EXPECT_EQ(gas_table(Revision::BPO2)[OP_CLZ], 5);
}
