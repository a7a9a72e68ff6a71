// Builds WebAssembly binaries by hand for tests: sections from raw payloads, with LEB128 and
// vector helpers, so each test shows the exact bytes it is about.
#pragma once

#include "wasm/decoder.hpp"
#include "wasm/validator.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace polyvm::wasm::test {

using Bytes = std::vector<uint8_t>;

inline Bytes uleb(uint64_t value) {
    Bytes out;
    do {
        uint8_t byte = value & 0x7F;
        value >>= 7;
        if (value) byte |= 0x80;
        out.push_back(byte);
    } while (value);
    return out;
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

/// A section: id, size, payload.
inline Bytes section(uint8_t id, const Bytes& payload) { return concat({{id}, uleb(payload.size()), payload}); }

/// A vector: count, then the items' bytes as given.
inline Bytes vec(std::initializer_list<Bytes> items) {
    Bytes out = uleb(items.size());
    for (const auto& item : items) out.insert(out.end(), item.begin(), item.end());
    return out;
}

/// A name as the binary format writes it: length, then the UTF-8 bytes.
inline Bytes name(const std::string& text) { return concat({uleb(text.size()), Bytes(text.begin(), text.end())}); }

inline Bytes header() { return {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00}; }

inline Bytes module(std::initializer_list<Bytes> sections) {
    Bytes out = header();
    for (const auto& s : sections) out.insert(out.end(), s.begin(), s.end());
    return out;
}

/// A function type: 0x60 params results.
inline Bytes function_type(const Bytes& params, const Bytes& results) {
    return concat({{0x60}, uleb(params.size()), params, uleb(results.size()), results});
}

/// A code entry: size, local runs, body (the caller ends it with 0x0B).
inline Bytes code_entry(const Bytes& locals, const Bytes& body) {
    const Bytes function = concat({locals, body});
    return concat({uleb(function.size()), function});
}

/// A module with one type, one function of that type (body given, no locals) and optional extras
/// placed before the code section (tables, memories, globals, exports, elements ... in order).
inline Bytes single_function_module(const Bytes& params, const Bytes& results, const Bytes& body,
                                    std::initializer_list<Bytes> sections_before_code = {}) {
    Bytes out = header();
    const auto append = [&](const Bytes& b) { out.insert(out.end(), b.begin(), b.end()); };
    append(section(1, vec({function_type(params, results)})));
    append(section(3, vec({{0x00}})));
    for (const auto& s : sections_before_code) append(s);
    append(section(10, vec({code_entry({0x00}, body)})));
    return out;
}

struct Outcome {
    bool decoded = false;
    bool valid = false;
    std::optional<Error> error;
};

inline Outcome check(const Bytes& bytes) {
    auto decoded = decode(bytes);
    if (!decoded) return {false, false, decoded.error()};
    auto error = validate(decoded.value());
    return {true, !error.has_value(), error};
}

}  // namespace polyvm::wasm::test
