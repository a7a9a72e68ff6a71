// WebAssembly contracts in transactions: deployment, calls between the two VMs in every
// direction, reverts and failures crossing the boundary, and the switch that keeps EIP-3541 are
// documents in tests/fixtures/stylus/transactions.json (stylus_documents_test.cpp runs them);
// here, what a document cannot say: the Merkle workload checked against a computation here.
#include "unit/stylus/document_runner.hpp"

using namespace polyvm;
using namespace polyvm::stylus_test;

namespace {

/// The reference: the same tree as contracts/wasm/src/merkle.c, computed here.
Hash32 merkle_root_of(size_t leaves) {
    if (leaves == 0) return Hash32{};
    std::vector<Hash32> level;
    for (size_t i = 0; i < leaves; ++i) level.push_back(keccak256(bytes_view{word(uint256{i})}));
    while (level.size() > 1) {
        std::vector<Hash32> parents;
        for (size_t i = 0; i + 1 < level.size(); i += 2) {
            bytes pair(level[i].data(), level[i].data() + 32);
            pair.insert(pair.end(), level[i + 1].data(), level[i + 1].data() + 32);
            parents.push_back(keccak256(bytes_view{pair}));
        }
        if (level.size() % 2) parents.push_back(level.back());
        level = std::move(parents);
    }
    return level[0];
}

TEST(StylusTransactions, KeccakAndMerkleWorkloadMatchTheReference) {
    REQUIRE_CONTRACT(merkle, "merkle");
    // The document holds the expected hashes as numbers; they must be this computation's.
    Document doc = named_document("KeccakAndMerkleWorkloadMatchTheReference");
    ASSERT_EQ(doc.steps.size(), 6u);
    Hash32 chained = uint256{7}.to_hash();
    for (int i = 0; i < 100; ++i) chained = keccak256(bytes_view{chained.data(), 32});
    const auto as_bytes = [](const Hash32& h) { return bytes(h.data(), h.data() + 32); };
    EXPECT_EQ(doc.steps[0].output, as_bytes(chained));
    EXPECT_EQ(doc.steps[2].output, as_bytes(merkle_root_of(1)));
    EXPECT_EQ(doc.steps[3].output, as_bytes(merkle_root_of(7)));
    EXPECT_EQ(doc.steps[4].output, as_bytes(merkle_root_of(500)));
    const DocumentRun r = run(doc);
    ASSERT_EQ(r.outcomes.size(), 6u);
    // 999 hashes of 32 and 64 bytes (30 + 6 per word each) and the work around them: the gas
    // grows with the tree.
    EXPECT_GT(r.outcomes[4].gas_used, r.outcomes[3].gas_used + 499 * 42 + 500 * 36);
}

}  // namespace
