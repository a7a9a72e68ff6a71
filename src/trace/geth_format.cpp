#include "trace/geth_format.hpp"

#include "common/hex.hpp"
#include "evm/opcodes.hpp"

#include <cstdio>

namespace polyvm::trace {

std::string hex_quantity(uint64_t v) { return to_hex_quantity(v); }

std::string hex_data(bytes_view data) { return to_hex_prefixed(data); }

std::string hex_hash(const uint256& v) { return "0x" + hex_word(v); }

std::string hex_word(const uint256& v) {
    const Hash32 h = v.to_hash();
    return to_hex(h);
}

std::string hex_address(const Address& a) { return to_hex_prefixed(a); }

std::string geth_opcode_name(uint8_t op) {
    if (op == 0x44) return "DIFFICULTY";  // geth keeps the old name for PREVRANDAO (EIP-4399)
    const std::string_view name = opcode_name(op);
    if (!name.empty() && kOpcodeTable[op].defined) return std::string(name);
    char buf[32];
    std::snprintf(buf, sizeof buf, "opcode 0x%x not defined", op);
    return buf;
}

std::string geth_error(Status status, const FailingStep* step) {
    char buf[96];
    switch (status) {
    case Status::Success: return "";
    case Status::Revert: return "execution reverted";
    case Status::OutOfGas: return "out of gas";
    case Status::InvalidInstruction:
    case Status::UndefinedInstruction:
        return "invalid opcode: " + geth_opcode_name(step ? step->opcode : 0xfe);
    case Status::StackUnderflow:
        if (!step) return "stack underflow";
        std::snprintf(buf, sizeof buf, "stack underflow (%zu <=> %d)", step->stack_size,
                      static_cast<int>(kOpcodeTable[step->opcode].inputs));
        return buf;
    case Status::StackOverflow: {
        if (!step) return "stack limit reached";
        // geth's limit is the stack size at which the instruction would overflow.
        const OpcodeInfo& info = kOpcodeTable[step->opcode];
        std::snprintf(buf, sizeof buf, "stack limit reached %zu (%d)", step->stack_size,
                      1024 + static_cast<int>(info.inputs) - static_cast<int>(info.outputs));
        return buf;
    }
    case Status::BadJumpDestination: return "invalid jump destination";
    case Status::InvalidMemoryAccess: return "return data out of bounds";
    case Status::StaticModeViolation: return "write protection";
    case Status::CallDepthExceeded: return "max call depth exceeded";
    case Status::InsufficientBalance: return "insufficient balance for transfer";
    case Status::ArgumentOutOfRange: return "gas uint64 overflow";
    case Status::PrecompileFailure: return "precompile failed";
    case Status::ContractValidationFailure: return "max code size exceeded";
    case Status::CreateCollision: return "contract address collision";
    case Status::NonceOverflow: return "nonce uint64 overflow";
    case Status::InitcodeSizeExceeded: return "max initcode size exceeded";
    case Status::UnsupportedPrecompile: return "unsupported precompile";
    case Status::NativeStackExhausted: return "native stack exhausted";
    case Status::Failure: break;
    }
    return status_name(status);
}

namespace {
constexpr uint8_t kErrorSelector[4] = {0x08, 0xc3, 0x79, 0xa0};  // keccak("Error(string)")[:4]
constexpr uint8_t kPanicSelector[4] = {0x4e, 0x48, 0x7b, 0x71};  // keccak("Panic(uint256)")[:4]

std::string panic_reason(const uint256& code) {
    // Solidity's panic codes, as geth's abi package names them.
    if (code.fits_u64()) {
        switch (code.low64()) {
        case 0x00: return "generic panic";
        case 0x01: return "assert(false)";
        case 0x11: return "arithmetic underflow or overflow";
        case 0x12: return "division or modulo by zero";
        case 0x21: return "enum overflow";
        case 0x22: return "invalid encoded storage byte array accessed";
        case 0x31: return "out-of-bounds array access; popping on an empty array";
        case 0x32: return "out-of-bounds access of an array or bytesN";
        case 0x41: return "out of memory";
        case 0x51: return "uninitialized function";
        }
    }
    return "unknown panic code: " + code.to_hex();
}
}  // namespace

std::optional<std::string> decode_revert_reason(bytes_view output) {
    if (output.size() < 4) return std::nullopt;
    const bytes_view args = output.subspan(4);
    if (std::equal(kPanicSelector, kPanicSelector + 4, output.begin())) {
        if (args.size() < 32) return std::nullopt;
        return panic_reason(uint256::from_be(args.subspan(0, 32)));
    }
    if (!std::equal(kErrorSelector, kErrorSelector + 4, output.begin())) return std::nullopt;
    // ABI: a head word with the string's offset, then at that offset its length and bytes.
    if (args.size() < 32) return std::nullopt;
    const uint256 offset = uint256::from_be(args.subspan(0, 32));
    if (!offset.fits_u64() || offset.low64() > args.size() || args.size() - offset.low64() < 32) return std::nullopt;
    const size_t at = offset.low64();
    const uint256 length = uint256::from_be(args.subspan(at, 32));
    if (!length.fits_u64() || length.low64() > args.size() - at - 32) return std::nullopt;
    const bytes_view text = args.subspan(at + 32, length.low64());
    return valid_utf8(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
}

std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<uint8_t>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool ok = len != 0 && i + len <= s.size();
        for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<uint8_t>(s[i + k]) >> 6) == 0x2;
        if (ok && len > 1) {
            // Reject overlong forms, surrogates and code points past U+10FFFF.
            uint32_t cp = c & (0xff >> (len + 1));
            for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3f);
            constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
            ok = cp >= kMin[len] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
        }
        if (ok) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xef\xbf\xbd";
            i += 1;
        }
    }
    return out;
}

}  // namespace polyvm::trace
