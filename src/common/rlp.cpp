#include "common/rlp.hpp"

#include <cstring>

namespace polyvm::rlp {
namespace {

// Header bytes (Yellow Paper, appendix B):
//   [0x00, 0x7f]  the byte itself
//   [0x80, 0xb7]  string of 0..55 bytes, length = b - 0x80
//   [0xb8, 0xbf]  string, the next b - 0xb7 bytes hold its length (>= 56)
//   [0xc0, 0xf7]  list of 0..55 payload bytes
//   [0xf8, 0xff]  list, the next b - 0xf7 bytes hold its payload length (>= 56)
constexpr uint8_t kShortString = 0x80;
constexpr uint8_t kLongString = 0xb7;
constexpr uint8_t kShortList = 0xc0;
constexpr uint8_t kLongList = 0xf7;
constexpr size_t kShortMax = 55;

unsigned be_size(uint64_t v) noexcept { return v == 0 ? 0 : static_cast<unsigned>((64 - __builtin_clzll(v) + 7) / 8); }

void append_be(bytes& out, uint64_t v, unsigned n) {
    for (unsigned i = n; i-- > 0;) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::string hexbyte(uint8_t b) {
    static constexpr char digits[] = "0123456789abcdef";
    return std::string{"0x"} + digits[b >> 4] + digits[b & 15];
}

}  // namespace

void append_header(bytes& out, size_t payload_size, bool is_list) {
    const uint8_t short_base = is_list ? kShortList : kShortString;
    if (payload_size <= kShortMax) {
        out.push_back(static_cast<uint8_t>(short_base + payload_size));
    } else {
        const unsigned n = be_size(payload_size);
        out.push_back(static_cast<uint8_t>((is_list ? kLongList : kLongString) + n));
        append_be(out, payload_size, n);
    }
}

size_t header_size(size_t payload_size) noexcept { return payload_size <= kShortMax ? 1 : 1 + be_size(payload_size); }

size_t encoded_size(bytes_view data) noexcept {
    if (data.size() == 1 && data[0] < kShortString) return 1;
    return header_size(data.size()) + data.size();
}

size_t encoded_size(uint64_t value) noexcept { return value != 0 && value < kShortString ? 1 : 1 + be_size(value); }

size_t encoded_size(const uint256& value) noexcept {
    return value.fits_u64() ? encoded_size(value.low64()) : 1 + value.byte_length();  // 9 to 32 bytes: short
}

void append(bytes& out, bytes_view data) {
    // A single byte below 0x80 is its own encoding; wrapping it would be a second encoding.
    if (data.size() == 1 && data[0] < kShortString) {
        out.push_back(data[0]);
        return;
    }
    append_header(out, data.size(), false);
    out.insert(out.end(), data.begin(), data.end());
}

void append(bytes& out, uint64_t value) {
    // Integers are big-endian byte strings without leading zeros; zero is the empty string.
    if (value != 0 && value < kShortString) {
        out.push_back(static_cast<uint8_t>(value));
        return;
    }
    const unsigned n = be_size(value);
    out.push_back(static_cast<uint8_t>(kShortString + n));
    append_be(out, value, n);
}

void append(bytes& out, const uint256& value) {
    if (value.fits_u64()) return append(out, value.low64());
    uint8_t buf[32];
    value.store_be(buf);
    const unsigned n = value.byte_length();
    append(out, bytes_view{buf + 32 - n, n});
}

bytes encode(bytes_view data) {
    bytes out;
    out.reserve(data.size() + 9);
    append(out, data);
    return out;
}

bytes encode(uint64_t value) {
    bytes out;
    append(out, value);
    return out;
}

bytes encode(const uint256& value) {
    bytes out;
    append(out, value);
    return out;
}

bytes ListBuilder::take() {
    uint8_t header[9];
    size_t header_size = 1;
    const size_t size = payload_.size();
    if (size <= kShortMax) {
        header[0] = static_cast<uint8_t>(kShortList + size);
    } else {
        const unsigned n = be_size(size);
        header[0] = static_cast<uint8_t>(kLongList + n);
        for (unsigned i = 0; i < n; ++i) header[1 + i] = static_cast<uint8_t>(size >> (8 * (n - 1 - i)));
        header_size = 1 + n;
    }
    payload_.insert(payload_.begin(), header, header + header_size);
    return std::move(payload_);
}

bytes wrap_list(bytes_view payload) {
    bytes out;
    out.reserve(payload.size() + 9);
    append_header(out, payload.size(), true);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

namespace {
template <typename Range>
bytes encode_list_range(const Range& items) {
    size_t total = 0;
    for (const auto& i : items) total += i.size();
    bytes out;
    out.reserve(total + 9);
    append_header(out, total, true);
    for (const auto& i : items) out.insert(out.end(), i.begin(), i.end());
    return out;
}
}  // namespace

bytes encode_list(std::initializer_list<bytes> encoded_items) { return encode_list_range(encoded_items); }
bytes encode_list(const std::vector<bytes>& encoded_items) { return encode_list_range(encoded_items); }

std::string_view errc_name(Errc code) noexcept {
    switch (code) {
        case Errc::InputTooShort: return "input too short";
        case Errc::LengthExceedsInput: return "length exceeds input";
        case Errc::TrailingBytes: return "trailing bytes";
        case Errc::LeadingZerosInLength: return "leading zeros in length";
        case Errc::NonCanonicalSize: return "non-canonical size";
        case Errc::ExpectedList: return "expected list";
        case Errc::ExpectedString: return "expected string";
        case Errc::IntegerLeadingZeros: return "integer with leading zeros";
        case Errc::IntegerTooLarge: return "integer too large";
        case Errc::WrongSize: return "wrong size";
        case Errc::TooDeep: return "nesting too deep";
    }
    return "unknown";
}

Result<Item> decode_prefix(bytes_view in) {
    if (in.empty()) return Error{Errc::InputTooShort, "empty input: expected an RLP item"};
    const uint8_t b = in[0];
    Item item;
    if (b < kShortString) {
        item.payload = in.subspan(0, 1);
        item.encoded = in.subspan(0, 1);
        return item;
    }
    item.is_list = b >= kShortList;
    const uint8_t short_base = item.is_list ? kShortList : kShortString;
    const uint8_t long_base = item.is_list ? kLongList : kLongString;
    size_t header = 1;
    uint64_t len = 0;
    if (b <= long_base) {
        len = b - short_base;
    } else {
        const size_t n = b - long_base;  // 1..8 length bytes, so the length always fits 64 bits
        if (in.size() < 1 + n)
            return Error{Errc::InputTooShort, "header " + hexbyte(b) + " needs " + std::to_string(n) +
                                                  " length bytes, input has " + std::to_string(in.size() - 1)};
        if (in[1] == 0) return Error{Errc::LeadingZerosInLength, "long-form length starts with a zero byte"};
        for (size_t i = 0; i < n; ++i) len = (len << 8) | in[1 + i];
        // The long form exists only for payloads that do not fit the short form.
        if (len <= kShortMax)
            return Error{Errc::NonCanonicalSize,
                         "long-form length " + std::to_string(len) + " must use the short form (< 56)"};
        header = 1 + n;
    }
    // Compare without adding, so a 64-bit length cannot overflow the sum.
    if (len > in.size() - header)
        return Error{Errc::LengthExceedsInput, std::string(item.is_list ? "list" : "string") + " declares " +
                                                   std::to_string(len) + " payload bytes, only " +
                                                   std::to_string(in.size() - header) + " available"};
    item.payload = in.subspan(header, static_cast<size_t>(len));
    item.encoded = in.subspan(0, header + static_cast<size_t>(len));
    if (!item.is_list && len == 1 && item.payload[0] < kShortString)
        return Error{Errc::NonCanonicalSize, "single byte " + hexbyte(item.payload[0]) + " must not be wrapped in a header"};
    return item;
}

Result<Item> decode_item(bytes_view in) {
    auto r = decode_prefix(in);
    if (!r) return r;
    if (r->encoded.size() != in.size())
        return Error{Errc::TrailingBytes,
                     std::to_string(in.size() - r->encoded.size()) + " bytes after the end of the item"};
    return r;
}

Result<Item> ListReader::next() {
    auto r = decode_prefix(rest_);
    if (r) rest_ = rest_.subspan(r->encoded.size());
    return r;
}

Result<size_t> ListReader::count() const {
    ListReader copy = *this;
    size_t n = 0;
    while (!copy.empty()) {
        auto r = copy.next();
        if (!r) return r.error();
        ++n;
    }
    return n;
}

Result<std::vector<Item>> list_items(const Item& list) {
    if (!list.is_list) return Error{Errc::ExpectedList, "expected a list, got a string"};
    std::vector<Item> items;
    ListReader reader{list};
    while (!reader.empty()) {
        auto r = reader.next();
        if (!r) return r.error();
        items.push_back(*r);
    }
    return items;
}

namespace {
// Shared integer checks: a string, no leading zero byte, at most max_bytes long.
std::optional<Error> check_integer(const Item& item, size_t max_bytes) {
    if (item.is_list) return Error{Errc::ExpectedString, "expected an integer, got a list"};
    // Canonical form first: a leading zero is reported as such even when the string is also
    // longer than the field.
    if (!item.payload.empty() && item.payload[0] == 0)
        return Error{Errc::IntegerLeadingZeros, "integer has a leading zero byte"};
    if (item.payload.size() > max_bytes)
        return Error{Errc::IntegerTooLarge, "integer of " + std::to_string(item.payload.size()) +
                                                " bytes exceeds " + std::to_string(max_bytes * 8) + " bits"};
    return std::nullopt;
}
}  // namespace

Result<uint64_t> to_u64(const Item& item) {
    if (auto e = check_integer(item, 8)) return std::move(*e);
    uint64_t v = 0;
    for (uint8_t b : item.payload) v = (v << 8) | b;
    return v;
}

Result<uint256> to_uint256(const Item& item) {
    if (auto e = check_integer(item, 32)) return std::move(*e);
    return uint256::from_be(item.payload);
}

Result<bytes> to_bytes(const Item& item) {
    if (item.is_list) return Error{Errc::ExpectedString, "expected a byte string, got a list"};
    return bytes(item.payload.begin(), item.payload.end());
}

namespace {
Result<Value> decode_value(const Item& item, size_t depth) {
    Value v;
    v.is_list = item.is_list;
    if (!item.is_list) {
        v.str.assign(item.payload.begin(), item.payload.end());
        return v;
    }
    // Bounded recursion: a hostile input of nested 0xc1 bytes must not exhaust the stack.
    if (depth >= kMaxDepth) return Error{Errc::TooDeep, "lists nested deeper than " + std::to_string(kMaxDepth)};
    ListReader reader{item};
    while (!reader.empty()) {
        auto child = reader.next();
        if (!child) return child.error();
        auto cv = decode_value(*child, depth + 1);
        if (!cv) return cv.error();
        v.items.push_back(std::move(*cv));
    }
    return v;
}

void encode_value(bytes& out, const Value& v) {
    if (!v.is_list) return append(out, v.str);
    bytes payload;
    for (const auto& i : v.items) encode_value(payload, i);
    append_header(out, payload.size(), true);
    out.insert(out.end(), payload.begin(), payload.end());
}
}  // namespace

Result<Value> decode(bytes_view in) {
    auto item = decode_item(in);
    if (!item) return item.error();
    return decode_value(*item, 0);
}

bytes encode(const Value& v) {
    bytes out;
    encode_value(out, v);
    return out;
}

}  // namespace polyvm::rlp
