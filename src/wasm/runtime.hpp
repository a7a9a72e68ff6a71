// The store's objects (core spec 4.2): function, table, memory and global instances, and the
// module instance that names them. Addresses are plain pointers into a Store, which owns
// everything and never moves it (std::deque), so instances of several modules can share
// imported objects and references can be stored as pointers.
#pragma once

#include "wasm/code.hpp"
#include "wasm/module.hpp"
#include "wasm/values.hpp"

#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace polyvm::wasm {

struct ModuleInstance;

inline constexpr uint64_t kPageSize = 65536;

/// A host function writes its results (as many as the type has) and returns an empty string,
/// or returns a trap message.
using HostCallback = std::function<std::string(std::span<const Slot> args, std::span<Slot> results)>;

struct FunctionInstance {
    FunctionType type;
    ModuleInstance* instance = nullptr;        // wasm functions: the instance whose code this is
    const CompiledFunction* code = nullptr;    // null for host functions
    HostCallback host;
};

struct TableInstance {
    TableType type;            // limits.min tracks the current size
    std::vector<Slot> elements;

    /// The engine's bound on a table's size whatever its declared maximum (about 128 MiB of slots).
    static constexpr uint64_t kMaxElements = uint64_t(1) << 24;
    /// Grows by `delta` elements set to `init`; the old size, or -1 (as uint32) past the maximum
    /// or when the host is out of memory.
    uint32_t grow(uint32_t delta, Slot init);
};

struct MemoryInstance {
    MemoryType type;           // limits.min tracks the current page count
    std::vector<uint8_t> bytes;
    uint32_t max_pages = 65536;  // the declared maximum clipped to the engine's limit

    uint32_t pages() const { return uint32_t(bytes.size() / kPageSize); }
    /// Grows by `delta` pages; the old page count, or -1 (as uint32) past the maximum.
    uint32_t grow(uint32_t delta);
};

struct GlobalInstance {
    GlobalType type;
    Slot value = 0;
};

/// An exported or imported thing; exactly one pointer is set, as `kind` says.
struct ExternalValue {
    ExternalKind kind = ExternalKind::Function;
    FunctionInstance* function = nullptr;
    TableInstance* table = nullptr;
    MemoryInstance* memory = nullptr;
    GlobalInstance* global = nullptr;
};

using ExportMap = std::map<std::string, ExternalValue, std::less<>>;

struct CompiledModule;

struct ModuleInstance {
    std::shared_ptr<const CompiledModule> module;
    std::vector<FunctionInstance*> functions;
    std::vector<TableInstance*> tables;
    MemoryInstance* memory = nullptr;  // Wasm 2.0 has at most one
    std::vector<GlobalInstance*> globals;
    /// Element segments as references; a dropped segment is empty.
    std::vector<std::vector<Slot>> elements;
    /// Data segments as byte ranges of the module binary; a dropped segment is empty.
    std::vector<std::span<const uint8_t>> data;
    ExportMap exports;
};

/// Owns every runtime object. Not thread-safe; one store per execution context.
struct Store {
    std::deque<FunctionInstance> functions;
    std::deque<TableInstance> tables;
    std::deque<MemoryInstance> memories;
    std::deque<GlobalInstance> globals;
    std::deque<ModuleInstance> instances;

    /// Memory growth stops at this many pages whatever a module declares (1 GiB by default).
    uint32_t memory_page_limit = 16384;
};

/// Converts a funcref slot back to its function (0 = null).
inline FunctionInstance* function_from_slot(Slot slot) { return reinterpret_cast<FunctionInstance*>(slot); }
inline Slot slot_from_function(const FunctionInstance* function) { return reinterpret_cast<Slot>(function); }

}  // namespace polyvm::wasm
