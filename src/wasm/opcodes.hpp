// Opcode values of the Wasm 2.0 instruction set that the decoder and validator name. Opcodes
// behind the 0xFC prefix are written as 0xFC00 | sub-opcode so that one integer names any
// instruction.
#pragma once

#include <cstdint>

namespace polyvm::wasm::op {

inline constexpr uint16_t Unreachable = 0x00, Nop = 0x01, Block = 0x02, Loop = 0x03, If = 0x04, Else = 0x05,
                          End = 0x0B, Br = 0x0C, BrIf = 0x0D, BrTable = 0x0E, Return = 0x0F, Call = 0x10,
                          CallIndirect = 0x11, Drop = 0x1A, Select = 0x1B, SelectTyped = 0x1C;
inline constexpr uint16_t LocalGet = 0x20, LocalSet = 0x21, LocalTee = 0x22, GlobalGet = 0x23, GlobalSet = 0x24,
                          TableGet = 0x25, TableSet = 0x26;
inline constexpr uint16_t FirstLoad = 0x28, LastLoad = 0x35, FirstStore = 0x36, LastStore = 0x3E;
inline constexpr uint16_t MemorySize = 0x3F, MemoryGrow = 0x40;
inline constexpr uint16_t I32Const = 0x41, I64Const = 0x42, F32Const = 0x43, F64Const = 0x44;
inline constexpr uint16_t FirstNumeric = 0x45, LastNumeric = 0xC4;  // no immediates (sign extension included)
inline constexpr uint16_t RefNull = 0xD0, RefIsNull = 0xD1, RefFunc = 0xD2;
inline constexpr uint8_t MiscPrefix = 0xFC, SimdPrefix = 0xFD;

inline constexpr uint16_t Misc = 0xFC00;
inline constexpr uint16_t FirstTruncSat = Misc | 0, LastTruncSat = Misc | 7;
inline constexpr uint16_t MemoryInit = Misc | 8, DataDrop = Misc | 9, MemoryCopy = Misc | 10, MemoryFill = Misc | 11,
                          TableInit = Misc | 12, ElemDrop = Misc | 13, TableCopy = Misc | 14, TableGrow = Misc | 15,
                          TableSize = Misc | 16, TableFill = Misc | 17;

}  // namespace polyvm::wasm::op
