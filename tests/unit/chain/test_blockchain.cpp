// The chain layer: blocks built on one another and imported, invalid blocks leaving no trace,
// heads switched back and forth between branches (unwinding and replaying change sets), header
// rules and decoding errors.
#include "chain/block_builder.hpp"
#include "chain/blockchain.hpp"
#include "chain/header_validation.hpp"
#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "state/memory_database.hpp"
#include "state/trie.hpp"

#include "unit/support/test_addresses.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

using namespace polyvm;

namespace {
Hash32 secret(uint8_t n) {
    Hash32 k;
    k[31] = n;
    return k;
}

Address address_of(const Hash32& key) {
    Transaction probe;
    probe.gas_limit = 21000;
    sign_transaction(probe, key);
    return probe.sender;
}

Address addr(uint8_t n) { return test::addr(n, 0xaa); }

/// A Cancun chain with three funded senders and a genesis block.
struct TestChain {
    MemoryDatabase db;
    ChainConfig config = *parse_network("Cancun");
    Blockchain chain{db, config};
    std::map<Address, uint64_t> nonces;
    BlockHeader genesis;

    TestChain() {
        std::vector<GenesisAccount> alloc;
        for (uint8_t i = 1; i <= 3; ++i) {
            GenesisAccount a;
            a.address = address_of(secret(i));
            a.info.balance = uint256{1} << 80;
            alloc.push_back(a);
        }
        MemoryDatabase scratch;
        for (const auto& a : alloc) scratch.put_account(a.address, a.info);
        genesis.ommers_hash = kEmptyOmmersHash;
        genesis.state_root = scratch.state_root();
        genesis.transactions_root = kEmptyTrieRoot;
        genesis.receipts_root = kEmptyTrieRoot;
        genesis.gas_limit = 30'000'000;
        genesis.base_fee_per_gas = uint256{7};
        genesis.withdrawals_root = kEmptyTrieRoot;
        genesis.blob_gas_used = 0;
        genesis.excess_blob_gas = 0;
        genesis.parent_beacon_block_root = Hash32{};
        EXPECT_FALSE(chain.initialize(genesis, alloc).has_value());
    }

    Transaction transfer(uint8_t from, const Address& to, uint64_t value, uint64_t nonce) {
        Transaction tx;
        tx.type = TransactionType::DynamicFee;
        tx.chain_id = uint256{1};
        tx.nonce = nonce;
        tx.max_fee_per_gas = tx.gas_price = uint256{1000};
        tx.max_priority_fee_per_gas = uint256{2};
        tx.gas_limit = 21000;
        tx.to = to;
        tx.value = uint256{value};
        EXPECT_TRUE(sign_transaction(tx, secret(from)));
        return tx;
    }

    /// Builds a block of `count` transfers on `parent` and imports it; returns its hash.
    Hash32 extend(const Hash32& parent, uint64_t timestamp, uint8_t salt, int count, std::map<Hash32, std::map<Address, uint64_t>>& nonces_after) {
        BlockTemplate t;
        t.parent_hash = parent;
        t.timestamp = timestamp;
        t.coinbase = addr(200);
        std::map<Address, uint64_t> n = nonces_after[parent];
        for (int i = 0; i < count; ++i) {
            const uint8_t from = static_cast<uint8_t>(1 + (salt + i) % 3);
            const Address sender = address_of(secret(from));
            t.transactions.push_back(transfer(from, addr(static_cast<uint8_t>(salt * 7 + i)), 1000u + salt, n[sender]++));
        }
        auto built = build_block(chain, t);
        EXPECT_TRUE(std::holds_alternative<BuiltBlock>(built));
        const Block& block = std::get<BuiltBlock>(built).block;
        EXPECT_EQ(block.transactions.size(), static_cast<size_t>(count));
        auto imported = chain.import_block(encode_block(block));
        EXPECT_TRUE(std::holds_alternative<Hash32>(imported))
            << (std::holds_alternative<BlockError>(imported) ? std::get<BlockError>(imported).to_string() : "");
        const Hash32 hash = header_hash(block.header);
        nonces_after[hash] = n;
        return hash;
    }
};
}  // namespace

TEST(Blockchain, BuildsAndImportsBlocks) {
    TestChain c;
    std::map<Hash32, std::map<Address, uint64_t>> nonces;
    Hash32 head = header_hash(c.genesis);
    for (int i = 1; i <= 5; ++i) head = c.extend(head, 12u * i, static_cast<uint8_t>(i), 4, nonces);
    EXPECT_EQ(c.chain.head_hash(), head);
    EXPECT_EQ(c.chain.head_header().number, 5u);
    EXPECT_EQ(c.db.state_root(), c.chain.head_header().state_root);
    EXPECT_EQ(c.db.read_block_hash(5), head);
    EXPECT_EQ(c.db.read_account(addr(200))->balance, uint256{5u * 4u * 21000u * 2u});  // tips only
}

TEST(Blockchain, InvalidBlockLeavesNoTrace) {
    TestChain c;
    std::map<Hash32, std::map<Address, uint64_t>> nonces;
    const Hash32 genesis = header_hash(c.genesis);
    const Hash32 one = c.extend(genesis, 12, 1, 3, nonces);
    const Hash32 root = c.db.state_root();

    BlockTemplate t;
    t.parent_hash = one;
    t.timestamp = 24;
    t.transactions.push_back(c.transfer(1, addr(250), 5, nonces[one][address_of(secret(1))]));
    auto built = build_block(c.chain, t);
    ASSERT_TRUE(std::holds_alternative<BuiltBlock>(built));
    Block bad = std::get<BuiltBlock>(built).block;
    bad.header.state_root[0] ^= 1;
    auto imported = c.chain.import_block(encode_block(bad));
    ASSERT_TRUE(std::holds_alternative<BlockError>(imported));
    EXPECT_EQ(std::get<BlockError>(imported).rule, "BlockException.INVALID_STATE_ROOT");
    EXPECT_EQ(c.chain.head_hash(), one);
    EXPECT_EQ(c.db.state_root(), root);
    EXPECT_FALSE(c.db.read_account(addr(250)).has_value());

    bad = std::get<BuiltBlock>(built).block;
    bad.header.gas_used += 1;
    imported = c.chain.import_block(encode_block(bad));
    ASSERT_TRUE(std::holds_alternative<BlockError>(imported));
    EXPECT_EQ(std::get<BlockError>(imported).rule, "BlockException.INVALID_GAS_USED");
    EXPECT_EQ(c.db.state_root(), root);
}

TEST(Blockchain, SwitchesHeadsBetweenBranchesManyTimes) {
    TestChain c;
    std::map<Hash32, std::map<Address, uint64_t>> nonces;
    const Hash32 genesis = header_hash(c.genesis);
    std::vector<Hash32> blocks{genesis};
    Hash32 tip = genesis;
    for (int i = 1; i <= 8; ++i) blocks.push_back(tip = c.extend(tip, 12u * i, static_cast<uint8_t>(i), 3, nonces));
    // A side branch from block 3, and one from the side branch's second block.
    Hash32 side = blocks[3];
    for (int i = 1; i <= 6; ++i) blocks.push_back(side = c.extend(side, 40u + 12u * i, static_cast<uint8_t>(50 + i), 2, nonces));
    Hash32 side2 = blocks[10];
    for (int i = 1; i <= 4; ++i) blocks.push_back(side2 = c.extend(side2, 100u + 12u * i, static_cast<uint8_t>(90 + i), 1, nonces));
    EXPECT_EQ(c.chain.head_hash(), side2);  // the last accepted block is the head

    std::mt19937 rng(3);
    for (int round = 0; round < 60; ++round) {
        const Hash32 target = blocks[rng() % blocks.size()];
        ASSERT_FALSE(c.chain.set_head(target).has_value());
        ASSERT_EQ(c.chain.head_hash(), target);
        const BlockHeader h = c.chain.head_header();
        ASSERT_EQ(c.db.state_root(), h.state_root) << "round " << round;
        // The canonical hashes are the target's ancestry.
        Hash32 cursor = target;
        for (uint64_t n = h.number;; --n) {
            ASSERT_EQ(c.db.read_block_hash(n), cursor);
            if (n == 0) break;
            cursor = c.chain.header(cursor)->parent_hash;
        }
        ASSERT_FALSE(c.db.read_block_hash(h.number + 1).has_value());
    }
    // Importing on a non-head parent executes on that parent's state.
    ASSERT_FALSE(c.chain.set_head(blocks[8]).has_value());
    const Hash32 grown = c.extend(blocks[5], 500, 77, 2, nonces);
    EXPECT_EQ(c.chain.head_hash(), grown);
    EXPECT_EQ(c.db.state_root(), c.chain.head_header().state_root);
}

TEST(HeaderValidation, BaseFeeFollowsEip1559) {
    BlockHeader parent;
    parent.gas_limit = 30'000'000;
    parent.base_fee_per_gas = uint256{1'000'000'000};
    parent.gas_used = 15'000'000;
    EXPECT_EQ(expected_base_fee(parent), uint256{1'000'000'000});
    parent.gas_used = 30'000'000;  // full: +12.5%
    EXPECT_EQ(expected_base_fee(parent), uint256{1'125'000'000});
    parent.gas_used = 0;  // empty: -12.5%
    EXPECT_EQ(expected_base_fee(parent), uint256{875'000'000});
    parent.base_fee_per_gas = uint256{7};
    parent.gas_used = 15'000'001;  // tiny excess still raises by at least 1
    EXPECT_EQ(expected_base_fee(parent), uint256{8});
}

TEST(HeaderValidation, RejectsEachBrokenRuleByName) {
    const ChainConfig config = *parse_network("Shanghai");
    BlockHeader parent;
    parent.number = 10;
    parent.timestamp = 100;
    parent.gas_limit = 30'000'000;
    parent.gas_used = 15'000'000;
    parent.base_fee_per_gas = uint256{10};
    parent.ommers_hash = kEmptyOmmersHash;
    BlockHeader good = parent;
    good.number = 11;
    good.timestamp = 112;
    good.gas_used = 0;
    good.withdrawals_root = kEmptyTrieRoot;
    ASSERT_FALSE(validate_header(good, parent, config).has_value());
    auto rule = [&](auto mutate) {
        BlockHeader h = good;
        mutate(h);
        const auto e = validate_header(h, parent, config);
        return e ? e->rule : std::string("(valid)");
    };
    EXPECT_EQ(rule([](BlockHeader& h) { h.number = 13; }), "BlockException.INVALID_BLOCK_NUMBER");
    EXPECT_EQ(rule([](BlockHeader& h) { h.timestamp = 100; }), "BlockException.INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT");
    EXPECT_EQ(rule([](BlockHeader& h) { h.gas_limit = 30'000'000 + 30'000'000 / 1024; }), "BlockException.INVALID_GASLIMIT");
    EXPECT_EQ(rule([](BlockHeader& h) { h.gas_limit = 4999; }), "BlockException.INVALID_GASLIMIT");
    EXPECT_EQ(rule([](BlockHeader& h) { h.gas_used = h.gas_limit + 1; }), "BlockException.GAS_USED_OVERFLOW");
    EXPECT_EQ(rule([](BlockHeader& h) { h.extra_data.assign(33, 0); }), "BlockException.EXTRA_DATA_TOO_BIG");
    EXPECT_EQ(rule([](BlockHeader& h) { h.base_fee_per_gas = uint256{11}; }), "BlockException.INVALID_BASEFEE_PER_GAS");
    EXPECT_EQ(rule([](BlockHeader& h) { h.difficulty = uint256{1}; }), "BlockException.IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS");
    EXPECT_EQ(rule([](BlockHeader& h) { h.ommers_hash = Hash32{}; }), "BlockException.IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS");
    EXPECT_EQ(rule([](BlockHeader& h) { h.withdrawals_root.reset(); }), "BlockException.INVALID_HEADER_FIELDS");
    EXPECT_EQ(rule([](BlockHeader& h) { h.blob_gas_used = 0; h.excess_blob_gas = 0; }), "BlockException.INVALID_HEADER_FIELDS");
}

TEST(BlockSize, Eip7934CapAppliesFromOsaka) {
    Block block;
    block.withdrawals.emplace();
    const ChainConfig osaka = *parse_network("Osaka");
    const ChainConfig prague = *parse_network("Prague");
    EXPECT_FALSE(validate_body(block, kMaxRlpBlockSize, osaka).has_value());
    const auto e = validate_body(block, kMaxRlpBlockSize + 1, osaka);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->rule, "BlockException.RLP_BLOCK_LIMIT_EXCEEDED");
    EXPECT_FALSE(validate_body(block, kMaxRlpBlockSize + 1, prague).has_value());
}

TEST(BlockDecoding, BadInputIsNamed) {
    BlockHeader h;
    h.ommers_hash = kEmptyOmmersHash;
    h.base_fee_per_gas = uint256{1};
    Block block;
    block.header = h;
    const bytes good = encode_block(block);
    ASSERT_TRUE(std::holds_alternative<Block>(decode_block(good)));
    EXPECT_EQ(header_hash(std::get<Block>(decode_block(good)).header), header_hash(h));
    // Every truncation is refused, never a crash.
    for (size_t n = 0; n < good.size(); ++n) {
        auto r = decode_block(bytes_view{good.data(), n});
        ASSERT_TRUE(std::holds_alternative<BlockError>(r));
        EXPECT_EQ(std::get<BlockError>(r).rule, "BlockException.RLP_STRUCTURES_ENCODING");
    }
    // A number wider than 64 bits.
    rlp::ListBuilder header;
    header.add(h.parent_hash).add(h.ommers_hash).add(h.coinbase).add(h.state_root).add(h.transactions_root);
    header.add(h.receipts_root).add(h.logs_bloom).add(h.difficulty).add(uint256{1} << 64).add(h.gas_limit);
    header.add(h.gas_used).add(h.timestamp).add(h.extra_data).add(h.mix_hash).add(h.nonce).add(uint256{1});
    const bytes wide = rlp::ListBuilder{}.add_raw(header.finish()).add_raw(rlp::ListBuilder{}.finish()).add_raw(rlp::ListBuilder{}.finish()).finish();
    auto r = decode_block(wide);
    ASSERT_TRUE(std::holds_alternative<BlockError>(r));
    EXPECT_EQ(std::get<BlockError>(r).rule, "BlockException.RLP_INVALID_FIELD_OVERFLOW_64");
    // Random bytes.
    std::mt19937 rng(5);
    for (int i = 0; i < 2000; ++i) {
        bytes junk = good;
        junk[rng() % junk.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
        (void)decode_block(junk);
    }
}

TEST(Bloom, HoldsEveryAddressAndTopicOfItsLogsAndNothingWhenEmpty) {
    Log log;
    log.address = addr(0x42);
    log.topics = {keccak256(bytes{1}), keccak256(bytes{2})};
    const Bloom bloom = logs_bloom({log});
    EXPECT_TRUE(bloom_may_contain(bloom, log.address));
    for (const Hash32& topic : log.topics) EXPECT_TRUE(bloom_may_contain(bloom, topic));
    EXPECT_FALSE(bloom_may_contain(Bloom{}, log.address));
}

namespace {

// Receipts and their logs as nested ListBuilders build them: the reference for the encoders,
// which size their output first and write it once.
bytes reference_logs(const std::vector<Log>& logs) {
    rlp::ListBuilder list;
    for (const Log& log : logs) {
        rlp::ListBuilder topics;
        for (const Hash32& t : log.topics) topics.add(t);
        list.add_raw(rlp::ListBuilder{}.add(log.address).add_raw(topics.finish()).add(log.data).finish());
    }
    return list.finish();
}

bytes reference_receipt(const Receipt& r) {
    rlp::ListBuilder b;
    if (r.post_state_root)
        b.add(*r.post_state_root);
    else
        b.add(uint64_t{r.success ? 1u : 0u});
    b.add(r.cumulative_gas_used).add(r.logs_bloom).add_raw(reference_logs(r.logs));
    bytes out = b.finish();
    if (r.type != TransactionType::Legacy) out.insert(out.begin(), static_cast<uint8_t>(r.type));
    return out;
}

}  // namespace

TEST(Receipts, EncodingsMatchNestedListBuilders) {
    std::mt19937_64 rng(0x10675);
    const size_t data_sizes[] = {0, 1, 31, 55, 56, 200, 1100, 70000};  // across the RLP header forms
    for (int round = 0; round < 200; ++round) {
        Receipt r;
        r.type = static_cast<TransactionType>(rng() % 5);
        r.success = rng() % 2;
        if (rng() % 6 == 0) r.post_state_root = Hash32{};
        r.cumulative_gas_used = rng() >> (rng() % 64);
        for (auto& b : r.logs_bloom.bytes) b = static_cast<uint8_t>(rng() % 3 == 0 ? rng() : 0);
        const size_t log_count = rng() % 6;
        for (size_t i = 0; i < log_count; ++i) {
            Log log;
            for (auto& b : log.address.bytes) b = static_cast<uint8_t>(rng());
            log.topics.resize(rng() % 5);
            for (Hash32& t : log.topics)
                for (auto& b : t.bytes) b = static_cast<uint8_t>(rng());
            log.data.resize(data_sizes[rng() % std::size(data_sizes)]);
            for (auto& b : log.data) b = static_cast<uint8_t>(rng());
            r.logs.push_back(std::move(log));
        }
        ASSERT_EQ(encode_logs(r.logs), reference_logs(r.logs)) << round;
        EXPECT_EQ(encoded_logs_size(r.logs), reference_logs(r.logs).size());
        ASSERT_EQ(encode_receipt(r), reference_receipt(r)) << round;
    }
}
