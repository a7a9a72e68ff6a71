#include "chain/receipt.hpp"

#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "state/trie.hpp"

namespace polyvm {

namespace {
void add_bytes_to_bloom(Bloom& bloom, bytes_view data) {
    const Hash32 h = keccak256(data);
    for (size_t i = 0; i < 6; i += 2) {
        const unsigned bit = ((unsigned{h[i]} << 8) | h[i + 1]) & 2047u;
        bloom[255 - bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
    }
}
}  // namespace

void add_to_bloom(Bloom& bloom, const Log& log) {
    add_bytes_to_bloom(bloom, log.address);
    for (const Hash32& topic : log.topics) add_bytes_to_bloom(bloom, topic);
}

Bloom logs_bloom(const std::vector<Log>& logs) {
    Bloom bloom;
    for (const Log& log : logs) add_to_bloom(bloom, log);
    return bloom;
}

void merge_bloom(Bloom& into, const Bloom& other) {
    for (size_t i = 0; i < Bloom::size(); ++i) into[i] |= other[i];
}

bytes encode_receipt(const Receipt& receipt) {
    rlp::ListBuilder b;
    if (receipt.post_state_root)
        b.add(*receipt.post_state_root);
    else
        b.add(uint64_t{receipt.success ? 1u : 0u});
    b.add(receipt.cumulative_gas_used).add(receipt.logs_bloom).add_raw(encode_logs(receipt.logs));
    bytes encoded = b.finish();
    if (receipt.type == TransactionType::Legacy) return encoded;
    encoded.insert(encoded.begin(), static_cast<uint8_t>(receipt.type));
    return encoded;
}

Hash32 receipts_root(const std::vector<Receipt>& receipts) {
    std::vector<bytes> values;
    values.reserve(receipts.size());
    for (const Receipt& r : receipts) values.push_back(encode_receipt(r));
    return ordered_trie_root(values);
}

}  // namespace polyvm
