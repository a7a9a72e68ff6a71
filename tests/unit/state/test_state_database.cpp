// The State as a cache over a database: the same operations on a self-contained State and on a
// State over a MemoryDatabase (committed at the end of each block) give the same roots; reverse
// change sets restore every earlier root; change sets survive their encoding.
#include "common/rlp.hpp"
#include "state/memory_database.hpp"
#include "state/state.hpp"
#include "state/trie.hpp"

#include "unit/support/test_addresses.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace polyvm;
using polyvm::test::addr;

namespace {

/// Applies one random operation to both states, the same way.
void random_operation(std::mt19937_64& rng, State& a, State& b) {
    const Address who = addr(static_cast<uint8_t>(rng() % 12));
    const uint256 key{rng() % 6};
    const uint256 value{rng() % 3 == 0 ? 0 : rng() % 1000};
    switch (rng() % 9) {
    case 0:
    case 1: {
        const uint256 amount{rng() % 50};
        a.add_balance(who, amount);
        b.add_balance(who, amount);
        break;
    }
    case 2:
        a.bump_nonce(who);
        b.bump_nonce(who);
        break;
    case 3:
    case 4:
        a.set_storage(who, key, value);
        b.set_storage(who, key, value);
        break;
    case 5:
        a.mark_destructed(who);
        b.mark_destructed(who);
        break;
    case 6:
        if (a.find(who) && b.find(who)) {
            a.create_contract(who, 1);
            b.create_contract(who, 1);
        }
        break;
    case 7: {
        const bytes code{0x60, static_cast<uint8_t>(rng() % 4), 0x00};
        a.set_code_journaled(who, code);
        b.set_code_journaled(who, code);
        break;
    }
    default:
        a.touch(who);
        b.touch(who);
        break;
    }
}
}  // namespace

TEST(StateOverDatabase, SameRootsAsASelfContainedState) {
    std::mt19937_64 rng(7);
    for (int round = 0; round < 40; ++round) {
        State reference;
        MemoryDatabase db;
        for (uint8_t i = 0; i < 6; ++i) {
            Account acc;
            acc.balance = uint256{100u + i};
            acc.nonce = i;
            if (i % 2) acc.storage[uint256{1}] = StorageSlot{uint256{9}, uint256{9}};
            reference.put_account(addr(i), acc);
            db.put_account(addr(i), AccountInfo{acc.nonce, acc.balance, kEmptyCodeHash, false}, {},
                           i % 2 ? std::vector<std::pair<uint256, uint256>>{{uint256{1}, uint256{9}}}
                                 : std::vector<std::pair<uint256, uint256>>{});
        }
        ASSERT_EQ(reference.root(), db.state_root());
        std::vector<std::pair<Hash32, ChangeSet>> history;  // root before each block, its undo
        for (int block = 0; block < 4; ++block) {
            State cached(&db);
            for (int tx = 0; tx < 5; ++tx) {
                const size_t snap_a = reference.snapshot();
                const size_t snap_b = cached.snapshot();
                for (int op = 0; op < 8; ++op) random_operation(rng, reference, cached);
                if (rng() % 4 == 0) {  // a failed call: everything since the snapshot goes
                    reference.revert(snap_a);
                    cached.revert(snap_b);
                }
                const bool delete_empty = rng() % 2;
                reference.finalize_transaction(delete_empty);
                cached.finalize_transaction(delete_empty);
            }
            const Hash32 before = db.state_root();
            ChangeSet undo = db.commit(cached.changes());
            ASSERT_EQ(db.state_root(), reference.root()) << "round " << round << " block " << block;
            history.emplace_back(before, std::move(undo));
        }
        // Unwinding block by block restores each earlier root.
        for (auto it = history.rbegin(); it != history.rend(); ++it) {
            db.commit(it->second);
            ASSERT_EQ(db.state_root(), it->first);
        }
    }
}

TEST(StateOverDatabase, LoadsLazilyAndReadsBlockHashes) {
    MemoryDatabase db;
    db.put_account(addr(1), AccountInfo{3, uint256{5}, kEmptyCodeHash, false}, bytes{0x00},
                   {{uint256{2}, uint256{8}}});
    db.set_block_hash(7, Hash32::from(bytes{0xab}));
    State s(&db);
    ASSERT_NE(s.find(addr(1)), nullptr);
    EXPECT_EQ(s.find(addr(1))->nonce, 3u);
    EXPECT_EQ(s.find(addr(1))->code_size(), 1u);
    EXPECT_EQ(s.storage_value(addr(1), uint256{2}), uint256{8});
    EXPECT_TRUE(s.storage_value(addr(1), uint256{3}).is_zero());
    EXPECT_TRUE(s.has_nonzero_storage(addr(1)));
    EXPECT_EQ(s.find(addr(2)), nullptr);
    EXPECT_EQ(s.block_hash(7), Hash32::from(bytes{0xab}));
    EXPECT_FALSE(s.block_hash(8).has_value());
    EXPECT_TRUE(s.changes().empty());  // reading changes nothing
}

TEST(StateOverDatabase, DeletionThenRecreationWipesOldStorage) {
    MemoryDatabase db;
    db.put_account(addr(1), AccountInfo{1, uint256{5}, kEmptyCodeHash, false}, {}, {{uint256{2}, uint256{8}}});
    State s(&db);
    s.mark_destructed(addr(1));
    s.finalize_transaction(true);
    EXPECT_EQ(s.find(addr(1)), nullptr);
    s.add_balance(addr(1), uint256{1});  // re-created in a later transaction of the block
    EXPECT_TRUE(s.storage_value(addr(1), uint256{2}).is_zero());
    s.finalize_transaction(true);
    db.commit(s.changes());
    EXPECT_TRUE(db.read_storage(addr(1), uint256{2}).is_zero());
    EXPECT_EQ(db.read_account(addr(1))->balance, uint256{1});
    EXPECT_FALSE(db.read_account(addr(1))->has_storage);
}

// The encoding is stored (the node's redo and undo records, the LMDB journal), so its bytes are
// fixed: the one-buffer encoder must write exactly what nested rlp::ListBuilders write.
namespace {
bytes change_set_by_list_builders(const ChangeSet& changes) {
    rlp::ListBuilder accounts;
    for (const AccountChange& c : changes.accounts) {
        rlp::ListBuilder slots;
        for (const auto& [key, value] : c.storage) slots.add_raw(rlp::ListBuilder{}.add(key).add(value).finish());
        rlp::ListBuilder account;
        if (c.account) account.add(c.account->nonce).add(c.account->balance).add(c.account->code_hash);
        accounts.add_raw(rlp::ListBuilder{}
                             .add(c.address)
                             .add_raw(account.finish())
                             .add(uint64_t{c.storage_wiped ? 1u : 0u})
                             .add_raw(slots.finish())
                             .finish());
    }
    rlp::ListBuilder codes;
    for (const auto& [hash, code] : changes.codes)
        codes.add_raw(rlp::ListBuilder{}.add(hash).add(code ? bytes_view{*code} : bytes_view{}).finish());
    return rlp::ListBuilder{}.add_raw(accounts.finish()).add_raw(codes.finish()).finish();
}
}  // namespace

TEST(ChangeSetEncoding, SameBytesAsNestedListBuilders) {
    std::mt19937_64 random(7);
    const auto word = [&] {
        // Zero, one byte below 0x80, a small number, or a full 256-bit word.
        switch (random() % 4) {
            case 0: return uint256{};
            case 1: return uint256{random() % 0x80};
            case 2: return uint256{random()};
            default: return uint256{random(), random(), random(), random()};
        }
    };
    for (size_t accounts : {0u, 1u, 3u, 40u}) {
        ChangeSet c;
        for (size_t i = 0; i < accounts; ++i) {
            AccountChange a;
            a.address = addr(static_cast<uint8_t>(i + 1));
            if (random() % 5) a.account = AccountInfo{random() % 300, word(), Hash32::from(bytes{static_cast<uint8_t>(i)}), false};
            a.storage_wiped = random() % 3 == 0;
            for (size_t s = random() % 12; s-- > 0;) a.storage.emplace_back(word(), word());
            c.accounts.push_back(std::move(a));
        }
        for (size_t code_size : {0u, 1u, 60u, 5000u})
            if (accounts > 0)
                c.codes.emplace_back(Hash32::from(bytes{static_cast<uint8_t>(code_size)}),
                                     std::make_shared<const bytes>(bytes(code_size, 0x5b)));
        if (accounts > 1) c.codes.emplace_back(Hash32{}, nullptr);
        EXPECT_EQ(encode_change_set(c), change_set_by_list_builders(c)) << accounts << " accounts";
    }
}

TEST(ChangeSetEncoding, RoundTripsAndRejectsGarbage) {
    ChangeSet c;
    AccountChange a;
    a.address = addr(1);
    a.account = AccountInfo{1, uint256{2}, kEmptyCodeHash, false};
    a.storage_wiped = true;
    a.storage = {{uint256{1}, uint256{0}}, {uint256{5}, uint256{6}}};
    c.accounts.push_back(a);
    AccountChange deleted;
    deleted.address = addr(2);
    c.accounts.push_back(deleted);
    c.codes.emplace_back(Hash32::from(bytes{1}), std::make_shared<const bytes>(bytes{0x60, 0x00}));
    const auto decoded = decode_change_set(encode_change_set(c));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->accounts, c.accounts);
    ASSERT_EQ(decoded->codes.size(), 1u);
    EXPECT_EQ(*decoded->codes[0].second, *c.codes[0].second);
    EXPECT_FALSE(decode_change_set(bytes{0xc0}).has_value());
    EXPECT_FALSE(decode_change_set(bytes{0x01, 0x02}).has_value());
}
