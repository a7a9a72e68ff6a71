// polyvm command-line tool: `polyvm statetest ...`, `polyvm run ...`, `polyvm bench ...`,
// `polyvm blocktest ...`, `polyvm t8n ...`,
// `polyvm wasm ...`.
#include "tools/cli.hpp"
#include "tools/huge_pages.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <string_view>

int main(int argc, char** argv) {
    CLI::App app{"polyvm: a C++20 Ethereum execution engine (EVM, blocks and a chain database; conformance and benchmark tools)"};
    app.require_subcommand(1, 1);
    app.footer("Run 'polyvm <command> --help' for a command's options.\n" + polyvm::tools::fork_names_help());
    const polyvm::tools::Command commands[] = {
        polyvm::tools::add_statetest_command(app),
        polyvm::tools::add_run_command(app),
        polyvm::tools::add_bench_command(app),
        polyvm::tools::add_bench_blocks_command(app),
        polyvm::tools::add_blocktest_command(app),
        polyvm::tools::add_import_command(app),
        polyvm::tools::add_dump_command(app),
        polyvm::tools::add_makechain_command(app),
        polyvm::tools::add_checkdb_command(app),
        polyvm::tools::add_t8n_command(app),
        polyvm::tools::add_node_command(app),
        polyvm::tools::add_wasm_command(app),
    };
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help is a "parse error" with exit code 0; every real usage error exits 2.
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    try {
        for (const auto& c : commands) {
            if (!c.app->parsed()) continue;
            // The commands that execute blocks or build a chain database (tools/huge_pages.hpp):
            // bench-blocks, raw transfers on one thread, 0.20-0.27 s -> 0.12 s to the root. And
            // the interpreter's benchmark, which builds thousands of fresh states per batch and
            // whose side-by-side figures were all taken on huge pages.
            const std::string_view name = c.app->get_name();
            if (name == "node" || name == "bench-blocks" || name == "blocktest" || name == "import" ||
                name == "makechain" || name == "bench")
                polyvm::tools::use_transparent_huge_pages();
            return c.run();
        }
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    }
    return 2;
}
