#include "common/large_stack_thread.hpp"
#include "common/hex.hpp"
#include "exec/transaction_execution.hpp"
#include "tools/cli.hpp"
#include "tools/fixture_values.hpp"
#include "tools/trace_adapter.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <limits>
#include <memory>

namespace polyvm::tools {
namespace {

// Fixed, recognisable addresses: neither is a precompile, so the code runs as an ordinary contract.
const Address kCaller = *address_from_hex("0x00000000000000000000000000000000000ca11e");
const Address kRecipient = *address_from_hex("0x00000000000000000000000000000000c0de0000");

constexpr int kExitRan = 0;
constexpr int kExitInternal = 1;
constexpr int kExitBadInput = 2;

const char* status_word(Status s) {
    if (s == Status::Success) return "success";
    if (s == Status::Revert) return "revert";
    return "failure";
}

}  // namespace

Command add_run_command(CLI::App& parent) {
    struct Args {
        std::string code, input, gas = "10000000", fork;
        bool trace = false, trace_memory = false, json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("run", "Execute raw EVM bytecode as a bare message call");
    cmd->footer(
        "The code runs at " + to_hex_prefixed(kRecipient) + ", called by " + to_hex_prefixed(kCaller) +
        ", in an empty state, with no transaction (no intrinsic gas) and the block context\n"
        "number 1, timestamp 1, gas limit 30,000,000, base fee 0, chain id 1.\n"
        "Prints 'output: 0x...', 'gas used: N', 'status: success|revert|failure' (or one JSON line with --json).\n"
        "Exit status: 0 when the code ran (even if it reverted or failed), 2 for bad input.\n" +
        fork_names_help());
    cmd->add_option("--code", args->code, "The bytecode, hex (0x prefix optional)")->required()->type_name("HEX");
    cmd->add_option("--input", args->input, "Call data, hex")->type_name("HEX");
    cmd->add_option("--gas", args->gas, "Gas limit of the call")->type_name("N")->capture_default_str();
    cmd->add_option("--fork", args->fork,
                    "Rules to run under (default: " + std::string(revision_name(latest_implemented_revision())) + ")")
        ->type_name("NAME");
    cmd->add_flag("--trace", args->trace, "Write an EIP-3155 trace (JSON lines) to stderr");
    cmd->add_flag("--trace-memory", args->trace_memory, "With --trace: include the memory in each step");
    cmd->add_flag("--json", args->json, "Print {\"status\", \"gasUsed\", \"output\"} as one JSON line");

    Command c;
    c.app = cmd;
    c.run = [args]() -> int {
        auto read_hex = [](const std::string& text, const char* option) -> std::optional<bytes> {
            if (auto problem = hex_problem(text); !problem.empty()) {
                std::cerr << "error: " << option << ": " << problem << "\n";
                return std::nullopt;
            }
            return from_hex(text);
        };
        const auto code = read_hex(args->code, "--code");
        if (!code) return kExitBadInput;
        const auto input = read_hex(args->input, "--input");
        if (!input) return kExitBadInput;

        uint64_t gas = 0;
        switch (parse_number(args->gas, gas)) {
            case NumberStatus::Ok:
                break;
            case NumberStatus::Overflow:
                std::cerr << "error: --gas: " << args->gas << " does not fit 64 bits\n";
                return kExitBadInput;
            case NumberStatus::Malformed:
                std::cerr << "error: --gas: not a number: \"" << args->gas << "\"\n";
                return kExitBadInput;
        }
        // Gas is signed inside the interpreter (it can go negative before the check).
        if (gas > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            std::cerr << "error: --gas: " << args->gas << " exceeds the largest gas limit, 2^63-1\n";
            return kExitBadInput;
        }

        Revision rev = latest_implemented_revision();
        if (!args->fork.empty()) {
            std::string error;
            const auto parsed = parse_fork_option(args->fork, error);
            if (!parsed) {
                std::cerr << "error: --fork: " << error << "\n";
                return kExitBadInput;
            }
            if (!revision_implemented(*parsed)) {
                std::cerr << "error: --fork: " << revision_name(*parsed) << " is not implemented in this build\n";
                return kExitBadInput;
            }
            rev = *parsed;
        }

        std::shared_ptr<Tracer> tracer;
        if (args->trace || args->trace_memory) tracer = make_eip3155_tracer(std::cerr, args->trace_memory);

        BlockInfo block;
        block.number = 1;
        block.timestamp = 1;
        block.gas_limit = 30'000'000;
        if (rev >= Revision::Paris) block.prev_randao = Hash32{};

        State state;  // execute_code installs the code in the recipient's account

        ExecutionOptions options;
        options.tracer = tracer.get();
        CallOutcome outcome;
        std::string failure;
        // Deep CALL recursion (up to 1024 frames) runs on a thread with a large stack.
        run_with_large_stack([&] {
            try {
                outcome = execute_code(state, block, rev, kCaller, kRecipient, *code, *input,
                                       static_cast<int64_t>(gas), uint256{}, options);
            } catch (const std::exception& e) {
                failure = e.what();
            }
        });
        if (!failure.empty()) {
            std::cerr << "error: execution failed: " << failure << "\n";
            return kExitInternal;
        }
        std::cerr.flush();

        if (args->json) {
            std::cout << "{\"status\": \"" << status_word(outcome.status) << "\", \"gasUsed\": " << outcome.gas_used
                      << ", \"output\": \"" << to_hex_prefixed(outcome.output) << "\"}" << std::endl;
        } else {
            std::cout << "output: " << to_hex_prefixed(outcome.output) << "\n"
                      << "gas used: " << outcome.gas_used << "\n"
                      << "status: " << status_word(outcome.status) << "\n";
            if (outcome.status != Status::Success && outcome.status != Status::Revert)
                std::cout << "halt reason: " << status_name(outcome.status) << "\n";
            std::cout.flush();
        }
        return kExitRan;
    };
    return c;
}

}  // namespace polyvm::tools
