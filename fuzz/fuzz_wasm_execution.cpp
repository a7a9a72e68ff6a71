// WebAssembly execution, fuel-bounded, three ways that must agree (issue 13, item 2): code
// compiled with fuel charges run untraced and traced (the traced loop is a second instantiation
// of the interpreter), and code compiled without them run unmetered. Each run instantiates the
// module afresh (function imports answered by a host function that returns values derived from
// its arguments) and calls up to four exported functions; the start function's and every call's
// status, trap message, results, the fuel left (metered runs) and the final memory and globals
// must be the same. The unmetered run happens only where the metered one never ran out of fuel,
// so that it is bounded too.
// Input: fuel selector (1 byte) || argument seed (8 bytes) || a module binary.
#include "byte_reader.hpp"
#include "fuzz_target.hpp"

#include "wasm/compiler.hpp"
#include "wasm/decoder.hpp"
#include "wasm/instance.hpp"
#include "wasm/interpreter.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace polyvm;
using namespace polyvm::wasm;

namespace {

struct CallRecord {
    ExecutionStatus status = ExecutionStatus::Ok;
    std::string message;
    std::vector<Value> values;
    uint64_t fuel_left = 0;
    bool operator==(const CallRecord&) const = default;
};

/// Everything a run leaves that the three ways must agree on.
struct RunRecord {
    InstantiationStatus instantiation = InstantiationStatus::Ok;
    std::string instantiation_message;
    std::vector<CallRecord> calls;
    std::vector<uint8_t> memory;  // its bytes (empty: no memory)
    std::vector<Slot> globals;
    bool out_of_fuel = false;
    bool operator==(const RunRecord&) const = default;
};

/// Counts the traced steps and keeps the fuel the last one reported.
class CountingObserver final : public StepObserver {
public:
    void on_instruction(const ExecutedInstruction& instruction) override {
        ++steps;
        last_fuel = instruction.fuel_left;
    }
    uint64_t steps = 0;
    uint64_t last_fuel = 0;
};

/// A reference is an address in its store, different in every run: compared as null or not.
Slot comparable(ValueType type, Slot value) { return is_reference_type(type) ? value != 0 : value; }

bool representable(const FunctionType& type) {
    for (ValueType t : type.params)
        if (t == ValueType::V128) return false;
    for (ValueType t : type.results)
        if (t == ValueType::V128) return false;
    return true;
}

/// An argument of `type` from the seed: small and edge values more often than not.
Value argument(ValueType type, uint64_t& seed) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    const uint64_t draw = seed >> 11;
    uint64_t bits;
    switch (draw % 4) {
        case 0: bits = draw % 17; break;
        case 1: bits = ~uint64_t{0} - draw % 5; break;
        case 2: bits = uint64_t{1} << (draw % 64); break;
        default: bits = seed;
    }
    if (is_reference_type(type)) return Value::null(type);
    return Value{type, normalize_bits(type, bits)};
}

RunRecord run(const std::shared_ptr<const CompiledModule>& compiled, std::optional<uint64_t> fuel, bool traced,
              uint64_t seed) {
    RunRecord record;
    Store store;
    store.memory_page_limit = 64;  // 4 MiB: growth beyond fails as past a declared maximum
    Executor executor(ExecutionLimits{512, size_t{1} << 16});
    executor.set_fuel(fuel);
    CountingObserver observer;
    if (traced) executor.set_step_observer(&observer);

    // Function imports: a host function per import, its results derived from its arguments.
    std::vector<std::pair<const Import*, ExternalValue>> provided;
    const Module& module = compiled->module;
    for (const Import& import : module.imports) {
        if (import.kind != ExternalKind::Function) continue;
        FunctionInstance& host = store.functions.emplace_back();
        host.type = module.types[import.function_type_index];
        host.host = [types = host.type.results](std::span<const Slot> args, std::span<Slot> results) -> std::string {
            const Slot base = args.empty() ? 7 : args[0];
            if (base == 0xdead) return "host trap";
            for (size_t i = 0; i < results.size(); ++i)
                results[i] = is_reference_type(types[i]) ? 0 : normalize_bits(types[i], base + i);
            return {};
        };
        ExternalValue value;
        value.function = &host;
        provided.emplace_back(&import, value);
    }
    const ImportResolver resolver = [&](std::string_view module_name, std::string_view field) -> const ExternalValue* {
        for (const auto& [import, value] : provided)
            if (import->module_name == module_name && import->field_name == field) return &value;
        return nullptr;
    };

    const Instantiation instance = instantiate(store, compiled, resolver, executor);
    record.instantiation = instance.status;
    record.instantiation_message = instance.message;
    record.out_of_fuel = instance.status == InstantiationStatus::Exhausted && instance.message.find("out of fuel") != std::string::npos;
    if (instance.ok()) {
        size_t calls = 0;
        for (const auto& [name, external] : instance.instance->exports) {
            if (external.kind != ExternalKind::Function || !representable(external.function->type)) continue;
            if (++calls > 4) break;
            std::vector<Value> args;
            for (ValueType type : external.function->type.params) args.push_back(argument(type, seed));
            const uint64_t fuel_before = executor.fuel_left();
            const ExecutionResult result = executor.invoke(*external.function, args);
            CallRecord call{result.status, result.message, result.values, fuel ? executor.fuel_left() : 0};
            for (Value& value : call.values) value.bits = comparable(value.type, value.bits);
            record.calls.push_back(std::move(call));
            if (fuel) FUZZ_CHECK(executor.fuel_left() <= fuel_before, "a call never adds fuel");
            if (result.status == ExecutionStatus::OutOfFuel) {
                record.out_of_fuel = true;
                break;  // later calls would start with what little is left: nothing to compare
            }
        }
    }
    if (instance.instance && instance.instance->memory) record.memory = instance.instance->memory->bytes;
    if (instance.instance)
        for (const GlobalInstance* global : instance.instance->globals)
            record.globals.push_back(comparable(global->type.type, global->value));
    if (traced && fuel) FUZZ_CHECK(observer.steps == 0 || observer.last_fuel <= *fuel, "a traced step shows no more fuel than the budget");
    return record;
}

/// FUZZ_VERBOSE=1: what a run did, to see where two runs part.
void describe(const char* label, const RunRecord& record) {
    if (!std::getenv("FUZZ_VERBOSE")) return;
    std::fprintf(stderr, "%s: instantiation %d %s, memory %zu bytes, %zu globals\n", label, int(record.instantiation),
                 record.instantiation_message.c_str(), record.memory.size(), record.globals.size());
    for (const CallRecord& call : record.calls) {
        std::fprintf(stderr, "  call: status %d %s, fuel left %llu, values", int(call.status), call.message.c_str(),
                     static_cast<unsigned long long>(call.fuel_left));
        for (const Value& value : call.values) std::fprintf(stderr, " %llx", static_cast<unsigned long long>(value.bits));
        std::fprintf(stderr, "\n");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 9) return 0;
    ByteReader in(data, size);
    const uint64_t fuel = 1 + uint64_t{in.next()} * 4000;  // up to about a million
    const uint64_t seed = in.word(8).w[0];
    const std::span<const uint8_t> binary(data + 9, size - 9);

    auto decoded = decode(binary);
    if (!decoded) return 0;
    Module copy = decoded.value();
    auto metered = compile(std::move(decoded.value()), CompileOptions{true});
    auto unmetered = compile(std::move(copy), CompileOptions{false});
    FUZZ_CHECK(bool(metered) == bool(unmetered), "fuel charges do not change validation");
    if (!metered) return 0;

    const RunRecord untraced = run(metered.value(), fuel, false, seed);
    const RunRecord traced = run(metered.value(), fuel, true, seed);
    describe("metered", untraced);
    describe("metered, traced", traced);
    FUZZ_CHECK(untraced == traced, "the traced interpreter gives the untraced results, fuel included");
    if (untraced.out_of_fuel) return 0;
    RunRecord free_run = run(unmetered.value(), std::nullopt, false, seed);
    describe("unmetered", free_run);
    // The unmetered run has no fuel to report; everything else must be the metered run's.
    RunRecord expected = untraced;
    for (CallRecord& call : expected.calls) call.fuel_left = 0;
    FUZZ_CHECK(free_run == expected, "code without fuel charges computes what metered code computes");
    return 0;
}
