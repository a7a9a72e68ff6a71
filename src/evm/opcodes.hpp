// The opcode table: one row of data per opcode (mnemonic, stack inputs/outputs, immediate size,
// the revision that introduced it, base gas and how that gas changed across forks). The
// interpreter's dispatch and checks, the tracer's names and the disassembler are all derived
// from these rows, so an opcode's facts are written down exactly once.
#pragma once

#include "common/revision.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace polyvm {

// kNumRevisions comes from the fork table (common/revision.hpp).

/// Opcode byte values.
enum Opcode : uint8_t {
    OP_STOP = 0x00, OP_ADD = 0x01, OP_MUL = 0x02, OP_SUB = 0x03, OP_DIV = 0x04, OP_SDIV = 0x05,
    OP_MOD = 0x06, OP_SMOD = 0x07, OP_ADDMOD = 0x08, OP_MULMOD = 0x09, OP_EXP = 0x0a,
    OP_SIGNEXTEND = 0x0b,
    OP_LT = 0x10, OP_GT = 0x11, OP_SLT = 0x12, OP_SGT = 0x13, OP_EQ = 0x14, OP_ISZERO = 0x15,
    OP_AND = 0x16, OP_OR = 0x17, OP_XOR = 0x18, OP_NOT = 0x19, OP_BYTE = 0x1a, OP_SHL = 0x1b,
    OP_SHR = 0x1c, OP_SAR = 0x1d, OP_CLZ = 0x1e,
    OP_KECCAK256 = 0x20,
    OP_ADDRESS = 0x30, OP_BALANCE = 0x31, OP_ORIGIN = 0x32, OP_CALLER = 0x33, OP_CALLVALUE = 0x34,
    OP_CALLDATALOAD = 0x35, OP_CALLDATASIZE = 0x36, OP_CALLDATACOPY = 0x37, OP_CODESIZE = 0x38,
    OP_CODECOPY = 0x39, OP_GASPRICE = 0x3a, OP_EXTCODESIZE = 0x3b, OP_EXTCODECOPY = 0x3c,
    OP_RETURNDATASIZE = 0x3d, OP_RETURNDATACOPY = 0x3e, OP_EXTCODEHASH = 0x3f,
    OP_BLOCKHASH = 0x40, OP_COINBASE = 0x41, OP_TIMESTAMP = 0x42, OP_NUMBER = 0x43,
    OP_PREVRANDAO = 0x44, OP_GASLIMIT = 0x45, OP_CHAINID = 0x46, OP_SELFBALANCE = 0x47,
    OP_BASEFEE = 0x48, OP_BLOBHASH = 0x49, OP_BLOBBASEFEE = 0x4a,
    OP_POP = 0x50, OP_MLOAD = 0x51, OP_MSTORE = 0x52, OP_MSTORE8 = 0x53, OP_SLOAD = 0x54,
    OP_SSTORE = 0x55, OP_JUMP = 0x56, OP_JUMPI = 0x57, OP_PC = 0x58, OP_MSIZE = 0x59, OP_GAS = 0x5a,
    OP_JUMPDEST = 0x5b, OP_TLOAD = 0x5c, OP_TSTORE = 0x5d, OP_MCOPY = 0x5e, OP_PUSH0 = 0x5f,
    OP_PUSH1 = 0x60, OP_PUSH32 = 0x7f,
    OP_DUP1 = 0x80, OP_DUP16 = 0x8f,
    OP_SWAP1 = 0x90, OP_SWAP16 = 0x9f,
    OP_LOG0 = 0xa0, OP_LOG4 = 0xa4,
    OP_CREATE = 0xf0, OP_CALL = 0xf1, OP_CALLCODE = 0xf2, OP_RETURN = 0xf3, OP_DELEGATECALL = 0xf4,
    OP_CREATE2 = 0xf5, OP_STATICCALL = 0xfa, OP_REVERT = 0xfd, OP_INVALID = 0xfe,
    OP_SELFDESTRUCT = 0xff,
};

/// Static facts about one opcode. Rows with `defined == false` are bytes no fork assigns.
struct OpcodeInfo {
    std::string_view name;
    bool defined = false;
    uint8_t inputs = 0;          // stack items consumed
    uint8_t outputs = 0;         // stack items produced
    uint8_t immediate_size = 0;  // bytes of inline data after the opcode (PUSHn)
    Revision since = Revision::Frontier;
    int16_t frontier_gas = 0;    // base gas when introduced (see kGasChanges for later forks)
};

/// A change of an opcode's base gas from a fork on.
struct GasChange {
    uint8_t opcode;
    Revision from;
    int16_t gas;
};

namespace opcode_detail {
constexpr std::string_view kPushNames[] = {
    "PUSH1",  "PUSH2",  "PUSH3",  "PUSH4",  "PUSH5",  "PUSH6",  "PUSH7",  "PUSH8",
    "PUSH9",  "PUSH10", "PUSH11", "PUSH12", "PUSH13", "PUSH14", "PUSH15", "PUSH16",
    "PUSH17", "PUSH18", "PUSH19", "PUSH20", "PUSH21", "PUSH22", "PUSH23", "PUSH24",
    "PUSH25", "PUSH26", "PUSH27", "PUSH28", "PUSH29", "PUSH30", "PUSH31", "PUSH32"};
constexpr std::string_view kDupNames[] = {"DUP1",  "DUP2",  "DUP3",  "DUP4",  "DUP5",  "DUP6",
                                          "DUP7",  "DUP8",  "DUP9",  "DUP10", "DUP11", "DUP12",
                                          "DUP13", "DUP14", "DUP15", "DUP16"};
constexpr std::string_view kSwapNames[] = {"SWAP1",  "SWAP2",  "SWAP3",  "SWAP4",  "SWAP5",  "SWAP6",
                                           "SWAP7",  "SWAP8",  "SWAP9",  "SWAP10", "SWAP11", "SWAP12",
                                           "SWAP13", "SWAP14", "SWAP15", "SWAP16"};
constexpr std::string_view kLogNames[] = {"LOG0", "LOG1", "LOG2", "LOG3", "LOG4"};

constexpr std::array<OpcodeInfo, 256> make_opcode_table() {
    std::array<OpcodeInfo, 256> t{};
    auto def = [&t](uint8_t op, std::string_view name, int16_t gas, uint8_t in, uint8_t out,
                    Revision since = Revision::Frontier) {
        t[op] = OpcodeInfo{name, true, in, out, 0, since, gas};
    };
    using R = Revision;
    def(OP_STOP, "STOP", 0, 0, 0);
    def(OP_ADD, "ADD", 3, 2, 1);
    def(OP_MUL, "MUL", 5, 2, 1);
    def(OP_SUB, "SUB", 3, 2, 1);
    def(OP_DIV, "DIV", 5, 2, 1);
    def(OP_SDIV, "SDIV", 5, 2, 1);
    def(OP_MOD, "MOD", 5, 2, 1);
    def(OP_SMOD, "SMOD", 5, 2, 1);
    def(OP_ADDMOD, "ADDMOD", 8, 3, 1);
    def(OP_MULMOD, "MULMOD", 8, 3, 1);
    def(OP_EXP, "EXP", 10, 2, 1);
    def(OP_SIGNEXTEND, "SIGNEXTEND", 5, 2, 1);
    def(OP_LT, "LT", 3, 2, 1);
    def(OP_GT, "GT", 3, 2, 1);
    def(OP_SLT, "SLT", 3, 2, 1);
    def(OP_SGT, "SGT", 3, 2, 1);
    def(OP_EQ, "EQ", 3, 2, 1);
    def(OP_ISZERO, "ISZERO", 3, 1, 1);
    def(OP_AND, "AND", 3, 2, 1);
    def(OP_OR, "OR", 3, 2, 1);
    def(OP_XOR, "XOR", 3, 2, 1);
    def(OP_NOT, "NOT", 3, 1, 1);
    def(OP_BYTE, "BYTE", 3, 2, 1);
    def(OP_SHL, "SHL", 3, 2, 1, R::Constantinople);  // EIP-145
    def(OP_SHR, "SHR", 3, 2, 1, R::Constantinople);  // EIP-145
    def(OP_SAR, "SAR", 3, 2, 1, R::Constantinople);  // EIP-145
    def(OP_CLZ, "CLZ", 5, 1, 1, R::Osaka);           // EIP-7939
    def(OP_KECCAK256, "KECCAK256", 30, 2, 1);
    def(OP_ADDRESS, "ADDRESS", 2, 0, 1);
    def(OP_BALANCE, "BALANCE", 20, 1, 1);
    def(OP_ORIGIN, "ORIGIN", 2, 0, 1);
    def(OP_CALLER, "CALLER", 2, 0, 1);
    def(OP_CALLVALUE, "CALLVALUE", 2, 0, 1);
    def(OP_CALLDATALOAD, "CALLDATALOAD", 3, 1, 1);
    def(OP_CALLDATASIZE, "CALLDATASIZE", 2, 0, 1);
    def(OP_CALLDATACOPY, "CALLDATACOPY", 3, 3, 0);
    def(OP_CODESIZE, "CODESIZE", 2, 0, 1);
    def(OP_CODECOPY, "CODECOPY", 3, 3, 0);
    def(OP_GASPRICE, "GASPRICE", 2, 0, 1);
    def(OP_EXTCODESIZE, "EXTCODESIZE", 20, 1, 1);
    def(OP_EXTCODECOPY, "EXTCODECOPY", 20, 4, 0);
    def(OP_RETURNDATASIZE, "RETURNDATASIZE", 2, 0, 1, R::Byzantium);  // EIP-211
    def(OP_RETURNDATACOPY, "RETURNDATACOPY", 3, 3, 0, R::Byzantium);  // EIP-211
    def(OP_EXTCODEHASH, "EXTCODEHASH", 400, 1, 1, R::Constantinople);  // EIP-1052
    def(OP_BLOCKHASH, "BLOCKHASH", 20, 1, 1);
    def(OP_COINBASE, "COINBASE", 2, 0, 1);
    def(OP_TIMESTAMP, "TIMESTAMP", 2, 0, 1);
    def(OP_NUMBER, "NUMBER", 2, 0, 1);
    // 0x44 was DIFFICULTY; EIP-4399 renamed it. The value always comes from TxContext::prev_randao.
    def(OP_PREVRANDAO, "PREVRANDAO", 2, 0, 1);
    def(OP_GASLIMIT, "GASLIMIT", 2, 0, 1);
    def(OP_CHAINID, "CHAINID", 2, 0, 1, R::Istanbul);         // EIP-1344
    def(OP_SELFBALANCE, "SELFBALANCE", 5, 0, 1, R::Istanbul);  // EIP-1884
    def(OP_BASEFEE, "BASEFEE", 2, 0, 1, R::London);            // EIP-3198
    def(OP_BLOBHASH, "BLOBHASH", 3, 1, 1, R::Cancun);          // EIP-4844
    def(OP_BLOBBASEFEE, "BLOBBASEFEE", 2, 0, 1, R::Cancun);    // EIP-7516
    def(OP_POP, "POP", 2, 1, 0);
    def(OP_MLOAD, "MLOAD", 3, 1, 1);
    def(OP_MSTORE, "MSTORE", 3, 2, 0);
    def(OP_MSTORE8, "MSTORE8", 3, 2, 0);
    def(OP_SLOAD, "SLOAD", 50, 1, 1);
    def(OP_SSTORE, "SSTORE", 0, 2, 0);  // all of its cost is dynamic
    def(OP_JUMP, "JUMP", 8, 1, 0);
    def(OP_JUMPI, "JUMPI", 10, 2, 0);
    def(OP_PC, "PC", 2, 0, 1);
    def(OP_MSIZE, "MSIZE", 2, 0, 1);
    def(OP_GAS, "GAS", 2, 0, 1);
    def(OP_JUMPDEST, "JUMPDEST", 1, 0, 0);
    def(OP_TLOAD, "TLOAD", 100, 1, 1, R::Cancun);   // EIP-1153
    def(OP_TSTORE, "TSTORE", 100, 2, 0, R::Cancun);  // EIP-1153
    def(OP_MCOPY, "MCOPY", 3, 3, 0, R::Cancun);      // EIP-5656
    def(OP_PUSH0, "PUSH0", 2, 0, 1, R::Shanghai);    // EIP-3855
    for (int n = 1; n <= 32; ++n) {
        def(static_cast<uint8_t>(OP_PUSH1 + n - 1), kPushNames[n - 1], 3, 0, 1);
        t[OP_PUSH1 + n - 1].immediate_size = static_cast<uint8_t>(n);
    }
    for (int n = 1; n <= 16; ++n) {
        def(static_cast<uint8_t>(OP_DUP1 + n - 1), kDupNames[n - 1], 3, static_cast<uint8_t>(n),
            static_cast<uint8_t>(n + 1));
        def(static_cast<uint8_t>(OP_SWAP1 + n - 1), kSwapNames[n - 1], 3, static_cast<uint8_t>(n + 1),
            static_cast<uint8_t>(n + 1));
    }
    for (int n = 0; n <= 4; ++n)
        def(static_cast<uint8_t>(OP_LOG0 + n), kLogNames[n], static_cast<int16_t>(375 + 375 * n),
            static_cast<uint8_t>(2 + n), 0);
    def(OP_CREATE, "CREATE", 32000, 3, 1);
    def(OP_CALL, "CALL", 40, 7, 1);
    def(OP_CALLCODE, "CALLCODE", 40, 7, 1);
    def(OP_RETURN, "RETURN", 0, 2, 0);
    def(OP_DELEGATECALL, "DELEGATECALL", 40, 6, 1, R::Homestead);  // EIP-7
    def(OP_CREATE2, "CREATE2", 32000, 4, 1, R::Constantinople);    // EIP-1014
    def(OP_STATICCALL, "STATICCALL", 700, 6, 1, R::Byzantium);     // EIP-214
    def(OP_REVERT, "REVERT", 0, 2, 0, R::Byzantium);               // EIP-140
    def(OP_INVALID, "INVALID", 0, 0, 0);                            // EIP-141
    def(OP_SELFDESTRUCT, "SELFDESTRUCT", 0, 1, 0);
    return t;
}
}  // namespace opcode_detail

inline constexpr std::array<OpcodeInfo, 256> kOpcodeTable = opcode_detail::make_opcode_table();

/// Base-gas repricings, oldest first. The Berlin rows are EIP-2929's warm-access cost; the cold
/// surcharge is charged dynamically by the instruction.
inline constexpr GasChange kGasChanges[] = {
    // EIP-150 (Tangerine Whistle): IO-heavy operations repriced.
    {OP_BALANCE, Revision::TangerineWhistle, 400},
    {OP_EXTCODESIZE, Revision::TangerineWhistle, 700},
    {OP_EXTCODECOPY, Revision::TangerineWhistle, 700},
    {OP_SLOAD, Revision::TangerineWhistle, 200},
    {OP_CALL, Revision::TangerineWhistle, 700},
    {OP_CALLCODE, Revision::TangerineWhistle, 700},
    {OP_DELEGATECALL, Revision::TangerineWhistle, 700},
    {OP_SELFDESTRUCT, Revision::TangerineWhistle, 5000},
    // EIP-1884 (Istanbul): trie-size-dependent opcodes repriced.
    {OP_BALANCE, Revision::Istanbul, 700},
    {OP_EXTCODEHASH, Revision::Istanbul, 700},
    {OP_SLOAD, Revision::Istanbul, 800},
    // EIP-2929 (Berlin): state access costs the warm price; cold accesses pay extra.
    {OP_BALANCE, Revision::Berlin, 100},
    {OP_EXTCODESIZE, Revision::Berlin, 100},
    {OP_EXTCODECOPY, Revision::Berlin, 100},
    {OP_EXTCODEHASH, Revision::Berlin, 100},
    {OP_SLOAD, Revision::Berlin, 100},
    {OP_CALL, Revision::Berlin, 100},
    {OP_CALLCODE, Revision::Berlin, 100},
    {OP_DELEGATECALL, Revision::Berlin, 100},
    {OP_STATICCALL, Revision::Berlin, 100},
};

/// Base gas per revision; -1 marks an opcode undefined in that revision.
using GasTable = std::array<int16_t, 256>;

namespace opcode_detail {
constexpr std::array<GasTable, kNumRevisions> make_gas_tables() {
    std::array<GasTable, kNumRevisions> tables{};
    for (int r = 0; r < kNumRevisions; ++r) {
        for (int op = 0; op < 256; ++op) {
            const OpcodeInfo& info = kOpcodeTable[op];
            int16_t gas = -1;
            if (info.defined && static_cast<int>(info.since) <= r) {
                gas = info.frontier_gas;
                for (const GasChange& c : kGasChanges)
                    if (c.opcode == op && static_cast<int>(c.from) <= r) gas = c.gas;
            }
            tables[r][op] = gas;
        }
    }
    return tables;
}
}  // namespace opcode_detail

inline constexpr std::array<GasTable, kNumRevisions> kGasTables = opcode_detail::make_gas_tables();

inline constexpr const GasTable& gas_table(Revision rev) noexcept { return kGasTables[static_cast<int>(rev)]; }

/// True if `op` is an instruction in `rev` (0xFE INVALID counts: it is defined to fail).
inline constexpr bool is_defined(uint8_t op, Revision rev) noexcept {
    return kGasTables[static_cast<int>(rev)][op] >= 0;
}

/// True for an instruction that can halt for another reason than gas in the middle of a block:
/// RETURNDATACOPY past the return data (EIP-211; checked after its gas), LOG0-4 and TSTORE in a
/// static frame (EIP-214, EIP-1153). Block checks charge a block's base gas on entry, so a
/// dynamic charge earlier in the block (or the instruction's own) sees less gas than the EVM
/// has at that point and could report OutOfGas where the EVM reaches this instruction and halts
/// with its own status: such an instruction is a block of its own.
inline constexpr bool checked_alone(uint8_t op) noexcept {
    return op == OP_RETURNDATACOPY || op == OP_TSTORE || (op >= OP_LOG0 && op <= OP_LOG4);
}

/// True if the instruction after `op` starts a new block for the interpreter's block-level gas
/// and stack checks (evm/analysis.hpp): `op` ends the frame or jumps, or it reads the gas left,
/// which must then be exact (GAS; the 63/64 rule of calls and creates, EIP-150; SSTORE's stipend
/// check, EIP-2200), or it is checked alone. A JUMPDEST always starts a block too, and so does
/// an instruction checked alone.
inline constexpr bool ends_check_block(uint8_t op) noexcept {
    switch (op) {
    case OP_STOP: case OP_RETURN: case OP_REVERT: case OP_INVALID: case OP_SELFDESTRUCT:
    case OP_JUMP: case OP_JUMPI:
    case OP_GAS: case OP_SSTORE:
    case OP_CALL: case OP_CALLCODE: case OP_DELEGATECALL: case OP_STATICCALL: case OP_CREATE: case OP_CREATE2:
        return true;
    default:
        return checked_alone(op);
    }
}

/// True if `op` starts a block whatever precedes it (its own step enters the block).
inline constexpr bool starts_check_block(uint8_t op) noexcept { return op == OP_JUMPDEST || checked_alone(op); }

/// The mnemonic, or an empty view for bytes no revision defines.
inline constexpr std::string_view opcode_name(uint8_t op) noexcept { return kOpcodeTable[op].name; }

}  // namespace polyvm
