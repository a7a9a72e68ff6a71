#include "chain/receipt.hpp"

#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "crypto/keccak_cache.hpp"
#include "state/trie.hpp"

#include <array>
#include <cstring>

namespace polyvm {

namespace {
/// The three bits an item sets: the low 11 bits of the first three byte pairs of its keccak256,
/// as (byte index, mask).
std::array<std::pair<size_t, uint8_t>, 3> bits_of_hash(const Hash32& h) {
    std::array<std::pair<size_t, uint8_t>, 3> bits;
    for (size_t i = 0; i < 3; ++i) {
        const unsigned bit = ((unsigned{h[2 * i]} << 8) | h[2 * i + 1]) & 2047u;
        bits[i] = {255 - bit / 8, static_cast<uint8_t>(1u << (bit % 8))};
    }
    return bits;
}

std::array<std::pair<size_t, uint8_t>, 3> bloom_bits(bytes_view data) {
    // Addresses and topics: the same few come back in every block (cached_keccak256).
    if (data.size() == 20) return bits_of_hash(cached_keccak256(Address::from(data)));
    if (data.size() == 32) return bits_of_hash(cached_keccak256(Hash32::from(data)));
    return bits_of_hash(keccak256(data));
}

void add_bytes_to_bloom(Bloom& bloom, bytes_view data) {
    for (const auto& [index, mask] : bloom_bits(data)) bloom[index] |= mask;
}
}  // namespace

bool bloom_may_contain(const Bloom& bloom, bytes_view item) {
    for (const auto& [index, mask] : bloom_bits(item))
        if (!(bloom[index] & mask)) return false;
    return true;
}

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
    // Eight bytes at a time (32 ORs, not 256): every transaction's receipt is merged.
    for (size_t i = 0; i < Bloom::size(); i += 8) {
        uint64_t a, b;
        std::memcpy(&a, into.data() + i, 8);
        std::memcpy(&b, other.data() + i, 8);
        a |= b;
        std::memcpy(into.data() + i, &a, 8);
    }
}

bytes encode_receipt(const Receipt& receipt) {
    // Sized first and written once into one buffer: the type byte, the list's header, the
    // status (or pre-Byzantium state root), the gas, the bloom and the logs.
    const uint64_t status = receipt.success ? 1u : 0u;
    const size_t payload = (receipt.post_state_root ? 33 : rlp::encoded_size(status)) +
                           rlp::encoded_size(receipt.cumulative_gas_used) + rlp::encoded_size(bytes_view{receipt.logs_bloom}) +
                           encoded_logs_size(receipt.logs);
    bytes out;
    out.reserve(1 + rlp::list_size(payload));
    if (receipt.type != TransactionType::Legacy) out.push_back(static_cast<uint8_t>(receipt.type));
    rlp::append_header(out, payload, true);
    if (receipt.post_state_root)
        rlp::append(out, bytes_view{*receipt.post_state_root});
    else
        rlp::append(out, status);
    rlp::append(out, receipt.cumulative_gas_used);
    rlp::append(out, bytes_view{receipt.logs_bloom});
    append_encoded_logs(out, receipt.logs);
    return out;
}

Hash32 receipts_root(const std::vector<Receipt>& receipts) {
    std::vector<bytes> values;
    values.reserve(receipts.size());
    for (const Receipt& r : receipts) values.push_back(encode_receipt(r));
    return ordered_trie_root(values);
}

bytes encode_receipts(const std::vector<Receipt>& receipts) {
    rlp::ListBuilder list;
    for (const Receipt& r : receipts) list.add(encode_receipt(r));
    return list.finish();
}

namespace {
std::optional<Receipt> decode_receipt(bytes_view encoded) {
    Receipt receipt;
    if (encoded.empty()) return std::nullopt;
    if (encoded[0] < 0x80) {  // EIP-2718 typed envelope
        if (encoded[0] > 0x7f) return std::nullopt;
        receipt.type = static_cast<TransactionType>(encoded[0]);
        encoded = encoded.subspan(1);
    }
    const auto item = rlp::decode_item(encoded);
    if (!item || !item->is_list) return std::nullopt;
    const auto fields = rlp::list_items(*item);
    if (!fields || fields->size() != 4) return std::nullopt;
    const rlp::Item& status = (*fields)[0];
    if (status.is_list) return std::nullopt;
    if (status.payload.size() == 32) {
        receipt.post_state_root = Hash32::from(status.payload);
    } else {
        const auto value = rlp::to_u64(status);
        if (!value || *value > 1) return std::nullopt;
        receipt.success = *value == 1;
    }
    const auto cumulative = rlp::to_u64((*fields)[1]);
    const auto bloom = rlp::to_fixed<256>((*fields)[2]);
    if (!cumulative || !bloom || !(*fields)[3].is_list) return std::nullopt;
    receipt.cumulative_gas_used = *cumulative;
    receipt.logs_bloom = *bloom;
    const auto logs = rlp::list_items((*fields)[3]);
    if (!logs) return std::nullopt;
    for (const rlp::Item& log_item : *logs) {
        const auto parts = rlp::list_items(log_item);
        if (!parts || parts->size() != 3 || !(*parts)[1].is_list) return std::nullopt;
        Log log;
        const auto address = rlp::to_fixed<20>((*parts)[0]);
        const auto topics = rlp::list_items((*parts)[1]);
        const auto data = rlp::to_bytes((*parts)[2]);
        if (!address || !topics || !data) return std::nullopt;
        log.address = *address;
        for (const rlp::Item& t : *topics) {
            const auto topic = rlp::to_fixed<32>(t);
            if (!topic) return std::nullopt;
            log.topics.push_back(*topic);
        }
        log.data = std::move(*data);
        receipt.logs.push_back(std::move(log));
    }
    return receipt;
}
}  // namespace

std::optional<std::vector<Receipt>> decode_receipts(bytes_view encoded) {
    const auto list = rlp::decode_item(encoded);
    if (!list || !list->is_list) return std::nullopt;
    const auto items = rlp::list_items(*list);
    if (!items) return std::nullopt;
    std::vector<Receipt> out;
    out.reserve(items->size());
    for (const rlp::Item& item : *items) {
        if (item.is_list) return std::nullopt;
        auto receipt = decode_receipt(item.payload);
        if (!receipt) return std::nullopt;
        out.push_back(std::move(*receipt));
    }
    return out;
}

}  // namespace polyvm
