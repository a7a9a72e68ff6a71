// Runtime values. Every value is kept as a 64-bit pattern in one stack slot: i32/f32 in the low
// 32 bits, i64/f64 in all 64, references as an opaque non-zero handle (0 is ref.null). Floats are
// bit patterns so that NaN payloads survive copies untouched.
#pragma once

#include "wasm/module.hpp"

#include <bit>
#include <cstdint>

namespace polyvm::wasm {

using Slot = uint64_t;

/// A typed value, for the embedder's side (arguments, results, globals).
struct Value {
    ValueType type = ValueType::I32;
    uint64_t bits = 0;  // i32/f32: low 32 bits; references: 0 = null

    static Value i32(uint32_t v) { return {ValueType::I32, v}; }
    static Value i64(uint64_t v) { return {ValueType::I64, v}; }
    static Value f32(float v) { return {ValueType::F32, std::bit_cast<uint32_t>(v)}; }
    static Value f64(double v) { return {ValueType::F64, std::bit_cast<uint64_t>(v)}; }
    static Value null(ValueType type) { return {type, 0}; }
    bool operator==(const Value&) const = default;
};

/// The bits of a value as its type stores them (i32/f32 cut to 32 bits).
constexpr uint64_t normalize_bits(ValueType type, uint64_t bits) {
    return (type == ValueType::I32 || type == ValueType::F32) ? (bits & 0xFFFFFFFFu) : bits;
}

}  // namespace polyvm::wasm
