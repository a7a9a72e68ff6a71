// geth's JSON spellings shared by the debug_trace* tracers: hex quantities and data, opcode
// names, the error texts of failed frames, revert reasons.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"
#include "evm/host.hpp"

#include <optional>
#include <string>

namespace polyvm::trace {

/// "0x" + minimal hex digits ("0x0" for zero): geth's hexutil.Uint64 / hexutil.Big.
std::string hex_quantity(uint64_t v);
inline std::string hex_quantity(const uint256& v) { return v.to_hex(); }
/// "0x" + lower-case hex ("0x" when empty): hexutil.Bytes.
std::string hex_data(bytes_view data);
/// "0x" + 64 hex digits: common.Hash.
std::string hex_hash(const uint256& v);
/// 64 hex digits without prefix: the struct logger's memory words and storage slots.
std::string hex_word(const uint256& v);
/// "0x" + 40 hex digits: common.Address (lower case, as geth's JSON encoding writes it).
std::string hex_address(const Address& a);

/// geth's OpCode.String(): mnemonics, "opcode 0x.. not defined" for unassigned bytes.
std::string geth_opcode_name(uint8_t op);

/// What geth knows about the instruction that ended a frame, for its error texts.
struct FailingStep {
    uint8_t opcode = 0;
    size_t stack_size = 0;
};

/// geth's error text (vm.Err*) for a frame that ended with `status` (not Success). `step` is the
/// frame's last instruction where known; stack and opcode errors name it as geth does.
std::string geth_error(Status status, const FailingStep* step = nullptr);

/// abi.UnpackRevert: the message of Error(string) or the meaning of Panic(uint256); nullopt for
/// anything else or malformed data.
std::optional<std::string> decode_revert_reason(bytes_view output);

/// The string made valid UTF-8: each invalid byte becomes U+FFFD, as Go's JSON encoder does.
std::string valid_utf8(std::string_view s);

}  // namespace polyvm::trace
