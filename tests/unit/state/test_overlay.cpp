// Change sets merged and layered over a reader must read exactly as if applied in order.
#include "state/memory_database.hpp"
#include "state/overlay.hpp"

#include "unit/support/test_addresses.hpp"

#include <gtest/gtest.h>

using namespace polyvm;

namespace {
AccountChange account(const Address& a, uint64_t balance, std::vector<std::pair<uint256, uint256>> slots = {},
                      bool wiped = false) {
    AccountChange c;
    c.address = a;
    c.account = AccountInfo{0, uint256{balance}, kEmptyCodeHash, false};
    c.storage = std::move(slots);
    c.storage_wiped = wiped;
    return c;
}
}  // namespace

TEST(Overlay, MergedChangeSetsEqualApplyingBothInOrder) {
    const Address a = test::addr(1), b = test::addr(2), c = test::addr(3);
    MemoryDatabase base;
    base.put_account(a, AccountInfo{1, uint256{10}, kEmptyCodeHash, false}, {}, {{uint256{1}, uint256{11}}, {uint256{2}, uint256{12}}});
    base.put_account(b, AccountInfo{1, uint256{20}, kEmptyCodeHash, false}, {}, {{uint256{1}, uint256{21}}});
    ChangeSet first, second;
    first.accounts = {account(a, 100, {{uint256{1}, uint256{0}}}), account(b, 200, {{uint256{5}, uint256{55}}}, true)};
    AccountChange deleted;
    deleted.address = c;
    second.accounts = {account(a, 101, {{uint256{3}, uint256{33}}}), account(b, 201), deleted};

    MemoryDatabase in_order;
    for (const auto& d : base.dump()) in_order.put_account(d.address, d.info, {}, d.storage);
    in_order.commit(first);
    in_order.commit(second);

    MemoryDatabase merged;
    for (const auto& d : base.dump()) merged.put_account(d.address, d.info, {}, d.storage);
    merged.commit(merge_change_sets(first, second));
    EXPECT_EQ(merged.state_root(), in_order.state_root());

    OverlayReader overlay(base);
    overlay.apply(first);
    overlay.apply(second);
    for (const Address& x : {a, b, c}) {
        const auto want = in_order.read_account(x);
        const auto got = overlay.read_account(x);
        ASSERT_EQ(want.has_value(), got.has_value());
        if (want) {
            EXPECT_EQ(want->balance, got->balance);
        }
        for (uint64_t k = 0; k < 6; ++k) EXPECT_EQ(overlay.read_storage(x, uint256{k}), in_order.read_storage(x, uint256{k})) << k;
    }
}
