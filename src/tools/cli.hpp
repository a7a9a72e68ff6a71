// The `polyvm` subcommands. Each add_* function declares its options on `parent` and returns the
// action to run once the command line has been parsed and that subcommand chosen.
#pragma once

#include "common/revision.hpp"

#include <functional>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace polyvm::tools {

struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;  // returns the process exit code
};

Command add_statetest_command(CLI::App& parent);
Command add_run_command(CLI::App& parent);
Command add_bench_command(CLI::App& parent);
Command add_bench_blocks_command(CLI::App& parent);
Command add_blocktest_command(CLI::App& parent);
Command add_import_command(CLI::App& parent);
Command add_dump_command(CLI::App& parent);
Command add_makechain_command(CLI::App& parent);
Command add_checkdb_command(CLI::App& parent);
Command add_t8n_command(CLI::App& parent);
Command add_node_command(CLI::App& parent);
Command add_wasm_command(CLI::App& parent);

/// Resolves a --fork argument (case-insensitive, aliases accepted). On failure returns nullopt and
/// sets `error` to a message listing the known names.
std::optional<Revision> parse_fork_option(const std::string& name, std::string& error);

/// "Frontier, Homestead, ... (implemented: Frontier..Cancun)" for --help texts.
std::string fork_names_help();

}  // namespace polyvm::tools
