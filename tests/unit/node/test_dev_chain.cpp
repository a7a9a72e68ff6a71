// The development chain: mining on the head, changes between blocks committed with the next
// block, state at older blocks, snapshots and reverts, and the mempool's order and replacement.
#include "node/dev_chain.hpp"
#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "exec/system_contracts.hpp"
#include "node/mempool.hpp"
#include "state/memory_database.hpp"

#include "unit/support/test_addresses.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::node;

namespace {
Hash32 secret(uint8_t n) {
    Hash32 k;
    k[31] = n;
    return k;
}

struct Fixture {
    std::vector<Address> senders;
    std::unique_ptr<DevChain> chain;
    /// `contracts`: more accounts in the genesis (code, storage).
    explicit Fixture(Revision rev = Revision::Osaka, const std::vector<GenesisAccount>& contracts = {}) {
        for (uint8_t i = 1; i <= 3; ++i) {
            Transaction probe;
            probe.gas_limit = 21000;
            sign_transaction(probe, secret(i));
            senders.push_back(probe.sender);
        }
        ChainConfig config(rev);
        config.chain_id = uint256{31337};
        DevGenesis genesis =
            default_dev_genesis(config, senders, uint256{1'000'000'000'000'000'000ull}, 30'000'000, uint256{1'000'000'000}, 1'000);
        if (!contracts.empty()) {
            genesis.alloc.insert(genesis.alloc.end(), contracts.begin(), contracts.end());
            genesis.header = genesis_header_for(config, genesis.alloc, 30'000'000, uint256{1'000'000'000}, 1'000);
        }
        StorageOptions storage;
        storage.in_memory = true;
        chain = std::make_unique<DevChain>(storage, genesis);
    }
    Transaction transfer(uint8_t from, uint64_t nonce, const Address& to, uint64_t value, uint64_t tip = 1,
                         uint64_t gas = 21000) {
        Transaction tx;
        tx.type = TransactionType::DynamicFee;
        tx.chain_id = uint256{31337};
        tx.nonce = nonce;
        tx.max_fee_per_gas = uint256{10'000'000'000ull};
        tx.max_priority_fee_per_gas = uint256{tip};
        tx.gas_limit = gas;
        tx.to = to;
        tx.value = uint256{value};
        EXPECT_TRUE(sign_transaction(tx, secret(from)));
        return tx;
    }
    uint256 balance(const Address& a, std::optional<uint64_t> at = {}) {
        const auto info = chain->state_at(at.value_or(chain->head().number))->read_account(a);
        return info ? info->balance : uint256{};
    }
};
}  // namespace

TEST(DevChain, MinesBlocksWhoseRootsMatchAFreshComputation) {
    Fixture f;
    const Address to = test::addr(0x77);
    for (uint64_t n = 0; n < 3; ++n) {
        auto mined = f.chain->mine({f.transfer(1, n, to, 1000)});
        ASSERT_TRUE(std::holds_alternative<MinedBlock>(mined)) << std::get<BlockError>(mined).to_string();
        const MinedBlock& m = std::get<MinedBlock>(mined);
        EXPECT_EQ(m.block.transactions.size(), 1u);
        EXPECT_EQ(m.block.header.number, n + 1);
        // The header's root is the database's state after the block.
        EXPECT_EQ(m.block.header.state_root, f.chain->database().state_root());
        EXPECT_EQ(f.chain->head_hash(), m.hash);
    }
    EXPECT_EQ(f.balance(to), uint256{3000});
    EXPECT_EQ(f.balance(to, 1), uint256{1000});  // the state after block 1, from reverse change sets
    EXPECT_EQ(f.balance(to, 0), uint256{});
    const auto found = f.chain->find_transaction(f.chain->block_by_number(2)->transaction_hashes[0]);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->first->block.header.number, 2u);
    EXPECT_EQ(found->first->gas_used[0], 21000u);
}

TEST(DevChain, ChangesBetweenBlocksAreVisibleAtOnceAndCommittedWithTheNextBlock) {
    Fixture f;
    const Address a = test::addr(0x42);
    ChangeSet changes;
    AccountChange change;
    change.address = a;
    change.account = AccountInfo{5, uint256{123}, kEmptyCodeHash, false};
    change.storage = {{uint256{1}, uint256{9}}};
    changes.accounts.push_back(change);
    f.chain->modify(changes);
    EXPECT_EQ(f.balance(a), uint256{123});
    EXPECT_EQ(f.chain->state_at(0)->read_storage(a, uint256{1}), uint256{9});  // head = block 0
    const Hash32 root_before = f.chain->database().state_root();
    auto mined = f.chain->mine({});
    ASSERT_TRUE(std::holds_alternative<MinedBlock>(mined));
    EXPECT_NE(f.chain->database().state_root(), root_before);
    EXPECT_EQ(std::get<MinedBlock>(mined).block.header.state_root, f.chain->database().state_root());
    EXPECT_TRUE(f.chain->pending_changes().empty());
    EXPECT_EQ(f.chain->database().read_storage(a, uint256{1}), uint256{9});
    EXPECT_EQ(f.balance(a, 0), uint256{});  // block 0's state does not have it
    // Re-running block 1 (traces) starts from block 0's state with the changes made before it.
    const auto before = f.chain->state_before(*f.chain->block_by_number(1));
    ASSERT_TRUE(before->read_account(a));
    EXPECT_EQ(before->read_account(a)->balance, uint256{123});
    EXPECT_EQ(before->read_storage(a, uint256{1}), uint256{9});
}

TEST(DevChain, RevertRestoresHeadStateAndDropsLaterSnapshots) {
    Fixture f;
    const Address to = test::addr(0x78);
    const uint64_t first = f.chain->snapshot();
    ASSERT_TRUE(std::holds_alternative<MinedBlock>(f.chain->mine({f.transfer(1, 0, to, 5)})));
    const uint64_t second = f.chain->snapshot();
    ASSERT_TRUE(std::holds_alternative<MinedBlock>(f.chain->mine({f.transfer(1, 1, to, 7)})));
    const Hash32 tx_in_block_2 = f.chain->block_by_number(2)->transaction_hashes[0];
    EXPECT_EQ(f.balance(to), uint256{12});
    ASSERT_TRUE(f.chain->revert(first));
    EXPECT_EQ(f.chain->head().number, 0u);
    EXPECT_EQ(f.balance(to), uint256{});
    EXPECT_EQ(f.chain->database().state_root(), f.chain->head().state_root);
    EXPECT_FALSE(f.chain->revert(second));  // dropped with the earlier one
    EXPECT_FALSE(f.chain->find_transaction(tx_in_block_2));
    // The chain goes on from there.
    auto mined = f.chain->mine({f.transfer(1, 0, to, 1)});
    ASSERT_TRUE(std::holds_alternative<MinedBlock>(mined));
    EXPECT_EQ(f.chain->head().number, 1u);
    EXPECT_EQ(f.balance(to), uint256{1});
}

TEST(DevChain, TimestampsIncreaseAndOverridesApplyOnce) {
    Fixture f;
    f.chain->next_timestamp_override = 5'000'000'000ull;
    ASSERT_TRUE(std::holds_alternative<MinedBlock>(f.chain->mine({})));
    EXPECT_EQ(f.chain->head().timestamp, 5'000'000'000ull);
    f.chain->next_base_fee_override = uint256{800};
    ASSERT_TRUE(std::holds_alternative<MinedBlock>(f.chain->mine({})));
    EXPECT_GT(f.chain->head().timestamp, 5'000'000'000ull);
    EXPECT_EQ(f.chain->head().base_fee_per_gas, uint256{800});
    ASSERT_TRUE(std::holds_alternative<MinedBlock>(f.chain->mine({})));
    // EIP-1559 from the parent again: an empty block lowers it by an eighth.
    EXPECT_EQ(f.chain->head().base_fee_per_gas, uint256{700});
}

TEST(Mempool, OrdersByTipPerSenderNonceAndReplacesOnlyWithHigherFees) {
    Fixture f;
    Mempool pool;
    const Address to = test::addr(0x79);
    Transaction a0 = f.transfer(1, 0, to, 1, 5), a1 = f.transfer(1, 1, to, 1, 50), b0 = f.transfer(2, 0, to, 1, 10);
    Transaction c5 = f.transfer(3, 5, to, 1, 100);  // a nonce gap: never ready here
    for (Transaction* tx : {&a1, &a0, &b0, &c5}) EXPECT_EQ(pool.add(*tx, transaction_hash(*tx)), Mempool::AddResult::Added);
    EXPECT_EQ(pool.add(a0, transaction_hash(a0)), Mempool::AddResult::AlreadyKnown);
    Transaction a0_same_fee = f.transfer(1, 0, to, 2, 5);
    EXPECT_EQ(pool.add(a0_same_fee, transaction_hash(a0_same_fee)), Mempool::AddResult::Underpriced);
    auto zero_nonces = [](const Address&) { return uint64_t{0}; };
    const auto ready = pool.take_ready(zero_nonces, 10, uint256{0});
    ASSERT_EQ(ready.size(), 3u);
    EXPECT_EQ(ready[0].tx.sender, b0.sender);  // tip 10 beats a0's 5
    EXPECT_EQ(ready[1].tx.nonce, 0u);          // then a0, which unlocks a1
    EXPECT_EQ(ready[2].tx.nonce, 1u);
    EXPECT_EQ(pool.size(), 1u);  // c5 waits for its gap
    Transaction c5_better = f.transfer(3, 5, to, 1, 200);
    c5_better.max_fee_per_gas = uint256{20'000'000'000ull};
    ASSERT_TRUE(sign_transaction(c5_better, secret(3)));
    EXPECT_EQ(pool.add(c5_better, transaction_hash(c5_better)), Mempool::AddResult::Replaced);
    EXPECT_EQ(pool.size(), 1u);
    EXPECT_TRUE(pool.find(transaction_hash(c5_better)));
    EXPECT_FALSE(pool.find(transaction_hash(c5)));
}

TEST(Mempool, TakesOnlyWhatFitsTheBlockGasLimit) {
    Fixture f;
    Mempool pool;
    const Address to = test::addr(0x7b);
    for (uint64_t n = 0; n < 5; ++n) {
        const Transaction tx = f.transfer(1, n, to, 1);
        pool.add(tx, transaction_hash(tx));
    }
    auto zero_nonces = [](const Address&) { return uint64_t{0}; };
    const auto first = pool.take_ready(zero_nonces, 100, uint256{0}, 3 * 21000 + 20000);
    EXPECT_EQ(first.size(), 3u);  // the fourth would not fit; it waits
    EXPECT_EQ(pool.size(), 2u);
    auto after_three = [](const Address&) { return uint64_t{3}; };
    EXPECT_EQ(pool.take_ready(after_three, 100, uint256{0}, 30'000'000).size(), 2u);
}

TEST(DevChain, MinedBlocksPassTheFullBlockRulesOfImport) {
    // Blocks mined with the default rules (no overrides) are valid blocks of the chain: a second
    // chain from the same genesis imports them with every header rule and root checked.
    Fixture f;
    const Address to = test::addr(0x7a);
    for (uint64_t n = 0; n < 4; ++n)
        ASSERT_TRUE(std::holds_alternative<MinedBlock>(f.chain->mine({f.transfer(1, n, to, 10 + n), f.transfer(2, n, to, 1)})));
    ChainConfig config(Revision::Osaka);
    config.chain_id = uint256{31337};
    const BlockPtr genesis_block = f.chain->block_by_number(0);
    const DevGenesis genesis = default_dev_genesis(config, f.senders, uint256{1'000'000'000'000'000'000ull}, 30'000'000,
                                                   uint256{1'000'000'000}, 1'000);
    ASSERT_EQ(header_hash(genesis.header), genesis_block->hash);
    MemoryDatabase db;
    Blockchain replica(db, config);
    ASSERT_FALSE(replica.initialize(genesis.header, genesis.alloc));
    for (uint64_t n = 1; n <= 4; ++n) {
        const BlockPtr block = f.chain->block_by_number(n);
        const auto imported = replica.import_block(encode_block(block->block));
        ASSERT_TRUE(std::holds_alternative<Hash32>(imported)) << n << ": " << std::get<BlockError>(imported).to_string();
        EXPECT_EQ(std::get<Hash32>(imported), block->hash);
    }
}

TEST(DevChain, ABlockOfManyTransactionsMinedInParallelIsTheSequentialBlock) {
    // 60 transfers from three senders (consecutive nonces depend on each other) to two
    // recipients: mined with the parallel executor and sequentially, the blocks are identical.
    std::vector<Hash32> hashes;
    for (unsigned threads : {1u, 2u, 4u}) {
        Fixture f;
        f.chain->execution_threads = threads;
        // The block's time would come from the wall clock, which may pass a second between runs.
        f.chain->next_timestamp_override = 2'000;
        std::vector<Transaction> transactions;
        for (uint64_t n = 0; n < 20; ++n)
            for (uint8_t from = 1; from <= 3; ++from)
                transactions.push_back(f.transfer(from, n, test::addr(static_cast<uint8_t>(0x70 + n % 2)), 100 + n, from));
        auto mined = f.chain->mine(transactions);
        ASSERT_TRUE(std::holds_alternative<MinedBlock>(mined));
        EXPECT_EQ(std::get<MinedBlock>(mined).block.transactions.size(), 60u);
        hashes.push_back(std::get<MinedBlock>(mined).hash);
    }
    EXPECT_EQ(hashes[0], hashes[1]);
    EXPECT_EQ(hashes[0], hashes[2]);
}

// Automine's blocks, each executed beside its parent's commit (DevChain::mine_each), are the
// blocks of mining them one by one, also where a transaction reads the parent's hash (BLOCKHASH,
// or the EIP-2935 history contract's slot that the block's own start writes): those blocks are
// executed again once the hash is known. A transaction left out ends the run.
TEST(DevChain, PipelinedAutomineMakesTheBlocksOfMiningOneByOne) {
    // slot 0 := BLOCKHASH(NUMBER - 1)
    const bytes blockhash_reader = *from_hex("600143034060005500");
    // slot 0 := the history contract's answer for NUMBER - 1 (EIP-2935 get)
    const bytes history_reader = *from_hex("60014303600052602060006020600073" +
                                           to_hex(kHistoryStorageAddress) + "5afa5060005160005500");
    std::vector<GenesisAccount> contracts(2);
    contracts[0].address = test::addr(0xb1);
    contracts[0].code = blockhash_reader;
    contracts[1].address = test::addr(0xb2);
    contracts[1].code = history_reader;
    for (GenesisAccount& contract : contracts) contract.info.code_hash = keccak256(contract.code);
    std::vector<std::vector<Hash32>> chains;
    for (bool pipelined : {true, false}) {
        SCOPED_TRACE(pipelined ? "pipelined" : "one by one");
        Fixture f(Revision::Osaka, contracts);
        f.chain->pipelined_mining = pipelined;
        f.chain->block_timestamp_interval = 12;  // not the wall clock, which may pass a second between runs
        const Address to = test::addr(0x77);
        std::vector<Transaction> transactions{
            f.transfer(1, 0, to, 1),
            f.transfer(2, 0, contracts[0].address, 0, 1, 100'000),  // reads the parent's hash
            f.transfer(1, 1, to, 2),
            f.transfer(3, 0, contracts[1].address, 0, 1, 100'000),  // reads it from the history contract
            f.transfer(1, 2, to, 3),
            f.transfer(2, 1, to, 4),
            f.transfer(1, 9, to, 5),  // a nonce gap: left out, its block is empty, the run ends
            f.transfer(1, 3, to, 6),
        };
        std::vector<uint64_t> mined_numbers;
        size_t mined = 0;
        f.chain->mine_each(transactions, [&](const MinedBlock& m) { mined_numbers.push_back(m.block.header.number); },
                           mined);
        EXPECT_EQ(mined, 7u);
        EXPECT_EQ(mined_numbers, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7}));
        EXPECT_TRUE(f.chain->block_by_number(7)->block.transactions.empty());
        f.chain->mine_each({transactions[7]}, [](const MinedBlock&) {}, mined);
        EXPECT_EQ(mined, 1u);
        EXPECT_EQ(f.chain->head().number, 8u);
        // Both readers stored their parent's real hash, not a stand-in.
        const auto state = f.chain->state_at(8);
        EXPECT_EQ(state->read_storage(contracts[0].address, uint256{}), uint256::from_hash(f.chain->block_by_number(1)->hash));
        EXPECT_EQ(state->read_storage(contracts[1].address, uint256{}), uint256::from_hash(f.chain->block_by_number(3)->hash));
        EXPECT_EQ(f.balance(to), uint256{1 + 2 + 3 + 4 + 6});
        EXPECT_EQ(f.chain->head().state_root, f.chain->database().state_root());
        if (pipelined) {
            // Blocks 2-7 ran beside their parent's commit; 2 and 4 read the parent's hash.
            EXPECT_EQ(f.chain->mining_statistics().pipelined, 6u);
            EXPECT_EQ(f.chain->mining_statistics().executed_again, 2u);
        } else {
            EXPECT_EQ(f.chain->mining_statistics().pipelined, 0u);
        }
        std::vector<Hash32> hashes;
        for (uint64_t n = 1; n <= 8; ++n) hashes.push_back(f.chain->block_by_number(n)->hash);
        chains.push_back(hashes);
    }
    EXPECT_EQ(chains[0], chains[1]);
}
