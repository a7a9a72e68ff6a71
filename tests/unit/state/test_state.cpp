#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "state/memory_database.hpp"
#include "state/state.hpp"
#include "state/trie.hpp"

#include "unit/support/test_addresses.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

using namespace polyvm;
using polyvm::test::addr;

TEST(State, EmptyStateHasEmptyTrieRoot) {
    State s;
    EXPECT_EQ(s.root(), kEmptyTrieRoot);
    EXPECT_EQ(to_hex(kEmptyCodeHash), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

TEST(State, RevertRestoresBalanceNonceStorageAndCreation) {
    State s;
    Account a;
    a.balance = 100;
    a.nonce = 5;
    a.storage[uint256{1}] = StorageSlot{7, 7};
    s.put_account(addr(1), a);
    const Hash32 root_before = s.root();

    const size_t snap = s.snapshot();
    s.add_balance(addr(1), 50);
    s.sub_balance(addr(1), 20);
    s.bump_nonce(addr(1));
    s.set_storage(addr(1), uint256{1}, uint256{9});
    s.set_storage(addr(1), uint256{2}, uint256{3});
    s.add_balance(addr(2), 1);  // creates addr(2)
    s.mark_warm(addr(3));
    EXPECT_FALSE(s.mark_storage_warm(addr(1), uint256{1}));
    EXPECT_TRUE(s.mark_storage_warm(addr(1), uint256{1}));
    EXPECT_EQ(s.find(addr(1))->balance, uint256{130});
    EXPECT_NE(s.find(addr(2)), nullptr);
    EXPECT_NE(s.root(), root_before);

    s.revert(snap);
    EXPECT_EQ(s.find(addr(1))->balance, uint256{100});
    EXPECT_EQ(s.find(addr(1))->nonce, 5u);
    EXPECT_EQ(s.find(addr(1))->storage.at(uint256{1}).current, uint256{7});
    EXPECT_EQ(s.find(addr(2)), nullptr);
    EXPECT_FALSE(s.is_warm(addr(3)));
    EXPECT_FALSE(s.mark_storage_warm(addr(1), uint256{1}));  // cold again after the revert
    EXPECT_EQ(s.root(), root_before);
}

TEST(State, NestedSnapshots) {
    State s;
    s.put_account(addr(1), Account{});
    const size_t outer = s.snapshot();
    s.add_balance(addr(1), 1);
    const size_t inner = s.snapshot();
    s.add_balance(addr(1), 10);
    s.revert(inner);
    EXPECT_EQ(s.find(addr(1))->balance, uint256{1});
    s.revert(outer);
    EXPECT_EQ(s.find(addr(1))->balance, uint256{0});
}

TEST(State, FinalizeDeletesTouchedEmptyAccountsOnlyFromEip158) {
    for (bool delete_empty : {false, true}) {
        State s;
        s.put_account(addr(1), Account{});  // empty, untouched: stays either way
        s.add_balance(addr(2), 0);          // touched empty
        s.add_balance(addr(3), 5);          // touched non-empty
        s.finalize_transaction(delete_empty);
        EXPECT_NE(s.find(addr(1)), nullptr);
        EXPECT_EQ(s.find(addr(2)) != nullptr, !delete_empty);
        EXPECT_NE(s.find(addr(3)), nullptr);
    }
}

TEST(State, FinalizeDeletesDestructedAndCommitsOriginals) {
    State s;
    Account a;
    a.balance = 1;
    s.put_account(addr(1), a);
    s.put_account(addr(2), a);
    s.mark_destructed(addr(1));
    s.set_storage(addr(2), uint256{4}, uint256{8});
    s.set_transient_storage(addr(2), uint256{1}, uint256{1});
    s.finalize_transaction(true);
    EXPECT_EQ(s.find(addr(1)), nullptr);
    const Account* b = s.find(addr(2));
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->storage.at(uint256{4}).original, uint256{8});
    EXPECT_TRUE(b->transient_storage.empty());
}

TEST(State, RipemdTouchSurvivesRevert) {
    // Mainnet quirk kept since EIP-158: a reverted touch of 0x03 still counts.
    State s;
    s.put_account(addr(3), Account{});
    s.put_account(addr(4), Account{});
    const size_t snap = s.snapshot();
    s.touch(addr(3));
    s.touch(addr(4));
    s.revert(snap);
    s.finalize_transaction(true);
    EXPECT_EQ(s.find(addr(3)), nullptr);
    EXPECT_NE(s.find(addr(4)), nullptr);
}

TEST(State, RootDependsOnStorageButNotOnZeroSlots) {
    State s1, s2;
    Account a;
    a.balance = 1;
    s1.put_account(addr(1), a);
    a.storage[uint256{5}] = StorageSlot{0, 0};  // a zero slot is absent from the trie
    s2.put_account(addr(1), a);
    EXPECT_EQ(s1.root(), s2.root());
    s2.set_storage(addr(1), uint256{5}, uint256{1});
    EXPECT_NE(s1.root(), s2.root());
}

TEST(State, RootOfSingleAccountMatchesHandBuiltTrie) {
    // One account: the trie is a single leaf, so the root is keccak(rlp([path, rlp(account)])).
    State s;
    Account a;
    a.balance = 1000;
    a.nonce = 1;
    s.put_account(addr(9), a);
    std::vector<std::pair<bytes, bytes>> entries;
    const Hash32 key = keccak256(addr(9));
    // rlp([nonce=1, balance=1000, emptyTrieRoot, emptyCodeHash]) built by hand.
    bytes account_rlp = {0x01, 0x82, 0x03, 0xe8, 0xa0};
    account_rlp.insert(account_rlp.end(), kEmptyTrieRoot.bytes.begin(), kEmptyTrieRoot.bytes.end());
    account_rlp.push_back(0xa0);
    account_rlp.insert(account_rlp.end(), kEmptyCodeHash.bytes.begin(), kEmptyCodeHash.bytes.end());
    bytes list = {0xf8, static_cast<uint8_t>(account_rlp.size())};
    list.insert(list.end(), account_rlp.begin(), account_rlp.end());
    entries.emplace_back(bytes(key.bytes.begin(), key.bytes.end()), list);
    EXPECT_EQ(s.root(), trie_root(entries));
}

// State::changes on several threads (the cache's buckets shared out, sorted runs merged) gives
// exactly the one-thread change set: accounts changed, only loaded, deleted, with slots.
TEST(State, ChangesOnSeveralThreadsEqualOneThreadsChanges) {
    MemoryDatabase db;
    const auto address = [](uint32_t i) {
        Address a;
        a.bytes[0] = 0x11;
        std::memcpy(a.bytes.data() + 16, &i, 4);
        return a;
    };
    ChangeSet pre;
    for (uint32_t i = 0; i < 3000; ++i) {
        AccountChange change;
        change.address = address(i);
        change.account = AccountInfo{1, uint256{i + 1}, kEmptyCodeHash, false};
        if (i % 5 == 0) change.storage.emplace_back(uint256{1}, uint256{i + 7});
        pre.accounts.push_back(std::move(change));
    }
    std::sort(pre.accounts.begin(), pre.accounts.end(), [](const auto& a, const auto& b) { return a.address < b.address; });
    db.commit(pre);

    State state(&db);
    ChangeSet deletions;
    for (uint32_t i = 0; i < 9000; ++i) {
        if (i % 7 == 0) {
            state.find(address(i));  // loaded, unchanged
        } else if (i % 11 == 0 && i < 3000) {
            deletions.accounts.push_back(AccountChange{address(i), std::nullopt, false, {}});
        } else {
            state.add_balance(address(i), uint256{i});
            if (i % 3 == 0) state.set_storage(address(i), uint256{i % 4}, uint256{i});
        }
    }
    state.finalize_transaction(true);
    state.apply_changes(deletions);
    const ChangeSet one = state.changes();
    ASSERT_GT(one.accounts.size(), State::kParallelChangesMinimum);
    for (unsigned threads : {2u, 3u, 8u}) {
        const ChangeSet several = state.changes(threads);
        EXPECT_TRUE(several.accounts == one.accounts) << threads << " threads";
        EXPECT_EQ(several.codes.size(), one.codes.size());
    }
}
