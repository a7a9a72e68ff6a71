// Recursive Length Prefix (Yellow Paper, appendix B): the serialisation of transactions, trie
// nodes and receipts. The encoder always produces the canonical form; the decoder accepts only
// the canonical form, because two encodings of one value would give two different hashes.
//
// Decoding never throws and never reads out of bounds: every failure is returned as an
// rlp::Error whose code says what was wrong (callers map codes to their own rule names) and
// whose message says where.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polyvm::rlp {

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/// Appends the header of an item whose payload is `payload_size` bytes long.
void append_header(bytes& out, size_t payload_size, bool is_list);

/// Appends the encoding of a byte string.
void append(bytes& out, bytes_view data);
/// Appends an integer as a minimal big-endian byte string (0 is the empty string 0x80).
void append(bytes& out, uint64_t value);
void append(bytes& out, const uint256& value);

/// The sizes of what append_header and append write: for encoders that size their output first
/// and then write it once, headers included, into one buffer.
size_t header_size(size_t payload_size) noexcept;
size_t encoded_size(bytes_view data) noexcept;
size_t encoded_size(uint64_t value) noexcept;
size_t encoded_size(const uint256& value) noexcept;
/// A list's size with its header, from its payload's.
inline size_t list_size(size_t payload_size) noexcept { return header_size(payload_size) + payload_size; }

bytes encode(bytes_view data);
inline bytes encode(std::string_view s) { return encode(as_view(s)); }
inline bytes encode(const char* s) { return encode(std::string_view{s}); }
template <size_t N>
bytes encode(const FixedBytes<N>& v) {
    return encode(bytes_view{v});
}
bytes encode(uint64_t value);
bytes encode(const uint256& value);
// Other integer types would be ambiguous between uint64_t and uint256; route them explicitly.
inline bytes encode(int value) { return encode(static_cast<uint64_t>(value)); }
inline bytes encode(unsigned value) { return encode(static_cast<uint64_t>(value)); }

/// Wraps an already concatenated sequence of encoded items in a list header.
bytes wrap_list(bytes_view payload);
/// Encodes a list from items that are each already RLP-encoded.
bytes encode_list(std::initializer_list<bytes> encoded_items);
bytes encode_list(const std::vector<bytes>& encoded_items);

/// Builds a list item by item without intermediate allocations per element:
///   bytes tx = rlp::ListBuilder{}.add(nonce).add(gas_price).add(to_bytes).finish();
class ListBuilder {
public:
    ListBuilder() = default;
    /// Room for about `payload_bytes` of items and the list's header, so that with take() the
    /// list is built in one allocation (trie nodes, hashed by the thousand per block).
    explicit ListBuilder(size_t payload_bytes) { payload_.reserve(payload_bytes + 9); }
    ListBuilder& add(bytes_view data) {
        append(payload_, data);
        return *this;
    }
    ListBuilder& add(std::string_view s) { return add(as_view(s)); }
    template <size_t N>
    ListBuilder& add(const FixedBytes<N>& v) {
        return add(bytes_view{v});
    }
    ListBuilder& add(uint64_t v) {
        append(payload_, v);
        return *this;
    }
    ListBuilder& add(const uint256& v) {
        append(payload_, v);
        return *this;
    }
    /// Appends an item that is already RLP-encoded (a nested list, for instance).
    ListBuilder& add_raw(bytes_view encoded) {
        payload_.insert(payload_.end(), encoded.begin(), encoded.end());
        return *this;
    }
    /// The encoded list.
    bytes finish() const { return wrap_list(payload_); }
    /// The encoded list in the builder's own buffer (the header moved in front of the items);
    /// the builder is left empty.
    bytes take();
    const bytes& payload() const noexcept { return payload_; }

private:
    bytes payload_;
};

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

enum class Errc : uint8_t {
    InputTooShort,         // the input ends inside an item header (or is empty)
    LengthExceedsInput,    // the declared payload runs past the end of the enclosing input
    TrailingBytes,         // bytes left after the single item that should span the input
    LeadingZerosInLength,  // long-form length written with leading zero bytes
    NonCanonicalSize,      // single byte < 0x80 wrapped in a header, or long form for < 56 bytes
    ExpectedList,          // a byte string where a list was required
    ExpectedString,        // a list where a byte string was required
    IntegerLeadingZeros,   // an integer with a leading zero byte (0 must be the empty string)
    IntegerTooLarge,       // an integer wider than the target type
    WrongSize,             // a fixed-size byte string (address, hash) of the wrong length
    TooDeep,               // lists nested deeper than kMaxDepth
};

std::string_view errc_name(Errc code) noexcept;

struct Error {
    Errc code;
    std::string message;
};

/// A value or an Error (std::expected is C++23).
template <typename T>
class Result {
public:
    Result(T value) : value_(std::move(value)), error_{Errc::InputTooShort, {}} {}  // NOLINT
    Result(Error error) : error_(std::move(error)) {}                                // NOLINT

    bool ok() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    T& operator*() & noexcept { return *value_; }
    const T& operator*() const& noexcept { return *value_; }
    T* operator->() noexcept { return &*value_; }
    const T* operator->() const noexcept { return &*value_; }
    T& value() & noexcept { return *value_; }
    /// Only meaningful when !ok().
    const Error& error() const noexcept { return error_; }

private:
    std::optional<T> value_;
    Error error_;
};

/// One item located inside an input buffer (views into that buffer).
struct Item {
    bool is_list = false;
    bytes_view payload;  // string bytes, or the concatenated encodings of the list's elements
    bytes_view encoded;  // header + payload
};

/// Reads the item at the start of `in`; the input may continue after it (see Item::encoded).
Result<Item> decode_prefix(bytes_view in);
/// Reads exactly one item that must span the whole input.
Result<Item> decode_item(bytes_view in);

/// Iterates the elements of a list payload.
class ListReader {
public:
    explicit ListReader(bytes_view payload) noexcept : rest_(payload) {}
    explicit ListReader(const Item& list) noexcept : rest_(list.payload) {}
    bool empty() const noexcept { return rest_.empty(); }
    /// Reads the next element; an error leaves the reader unchanged.
    Result<Item> next();
    /// Counts the remaining elements (validating their headers).
    Result<size_t> count() const;

private:
    bytes_view rest_;
};

/// Splits a list into its elements.
Result<std::vector<Item>> list_items(const Item& list);

/// Interprets a string item as a canonical unsigned integer (no leading zeros).
Result<uint64_t> to_u64(const Item& item);
Result<uint256> to_uint256(const Item& item);
/// A byte string of exactly N bytes.
template <size_t N>
Result<FixedBytes<N>> to_fixed(const Item& item);
/// Any byte string.
Result<bytes> to_bytes(const Item& item);

/// A fully decoded RLP tree (tests, debugging tools); lists nest at most kMaxDepth deep.
struct Value {
    bool is_list = false;
    bytes str;
    std::vector<Value> items;
};
inline constexpr size_t kMaxDepth = 1024;
Result<Value> decode(bytes_view in);
bytes encode(const Value& v);

// ---------------------------------------------------------------------------------------------

template <size_t N>
Result<FixedBytes<N>> to_fixed(const Item& item) {
    if (item.is_list) return Error{Errc::ExpectedString, "expected a " + std::to_string(N) + "-byte string, got a list"};
    if (item.payload.size() != N)
        return Error{Errc::WrongSize, "expected " + std::to_string(N) + " bytes, got " + std::to_string(item.payload.size())};
    return FixedBytes<N>::from(item.payload);
}

}  // namespace polyvm::rlp
