#include "wasm/error.hpp"

#include "wasm/module.hpp"

namespace polyvm::wasm {

std::string describe(const Error& error) {
    const char* kind = error.kind == ErrorKind::Malformed ? "malformed" : error.kind == ErrorKind::Invalid ? "invalid" : "unsupported";
    return std::string(kind) + " at byte " + std::to_string(error.offset) + ": " + error.message;
}

const char* value_type_name(ValueType type) {
    switch (type) {
        case ValueType::I32: return "i32";
        case ValueType::I64: return "i64";
        case ValueType::F32: return "f32";
        case ValueType::F64: return "f64";
        case ValueType::V128: return "v128";
        case ValueType::FuncRef: return "funcref";
        case ValueType::ExternRef: return "externref";
    }
    return "unknown";
}

}  // namespace polyvm::wasm
