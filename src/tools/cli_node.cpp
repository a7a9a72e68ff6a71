// `polyvm node`: the local development chain (src/node) behind JSON-RPC.
#include "node/dev_node.hpp"
#include "tools/cli.hpp"
#include "tools/genesis.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace polyvm::tools {
namespace {
volatile std::sig_atomic_t g_stop_signal = 0;
void on_signal(int signal) { g_stop_signal = signal; }

uint256 parse_amount(const std::string& text, const char* option) {
    const auto value = uint256::from_string(text);
    if (!value) throw std::invalid_argument(std::string(option) + ": not a number: " + text);
    return *value;
}
}  // namespace

Command add_node_command(CLI::App& parent) {
    struct Args {
        std::string host = "127.0.0.1";
        uint16_t port = 8545;
        bool no_cors = false;
        uint64_t chain_id = node::NodeOptions{}.chain_id;
        std::string fork = "Osaka";
        uint64_t gas_limit = node::NodeOptions{}.gas_limit;
        std::string base_fee = "1000000000";
        std::string balance = "10000";
        size_t accounts = node::NodeOptions{}.accounts;
        std::string mnemonic = node::NodeOptions{}.mnemonic;  // the defaults are the node's own
        std::string genesis;
        std::string data_dir = ".polyvm/dev";
        bool in_memory = false;
        bool durable = false;
        std::optional<double> block_time;
        bool quiet = false;
        bool no_wasm = false;
        std::string load_state;
        std::string dump_state;
        unsigned rpc_threads = 2;
        unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("node", "Run a local development chain behind Ethereum JSON-RPC (like Anvil)");
    cmd->footer(
        "JSON-RPC over HTTP and WebSocket on one port. Transactions are mined as they arrive (automine)\n"
        "unless --block-time is given. The chain is kept in an LMDB database under --data-dir and\n"
        "continues after a restart; --in-memory keeps nothing. See README for the methods.\n");
    cmd->add_option("--host", args->host, "Address to listen on (default 127.0.0.1)");
    cmd->add_option("-p,--port", args->port, "Port (0: a free one, printed at start-up)");
    cmd->add_flag("--no-cors", args->no_cors, "Send no CORS headers");
    cmd->add_option("--chain-id", args->chain_id, "Chain id (default 31337)");
    cmd->add_option("--fork,--hardfork", args->fork, "Fork rules of the chain (default Osaka)");
    cmd->add_option("--gas-limit", args->gas_limit, "Block gas limit (default 30000000)");
    cmd->add_option("--base-fee", args->base_fee, "Base fee of the genesis block in wei (default 1 gwei)");
    cmd->add_option("--balance", args->balance, "Balance of each account in ether (default 10000)");
    cmd->add_option("-a,--accounts", args->accounts, "Number of accounts (default 10)");
    cmd->add_option("-m,--mnemonic", args->mnemonic, "BIP-39 mnemonic of the accounts (m/44'/60'/0'/0/i)");
    cmd->add_option("--genesis", args->genesis, "A geth genesis JSON file instead of the default genesis");
    cmd->add_option("--data-dir", args->data_dir, "Folder of the chain database (default .polyvm/dev)");
    cmd->add_flag("--in-memory", args->in_memory, "Keep the chain in memory only");
    cmd->add_flag("--durable", args->durable, "Flush the database to disk at every block");
    cmd->add_option("-b,--block-time", args->block_time, "Mine a block every SECONDS instead of automining")->type_name("SECONDS");
    cmd->add_flag("-q,--quiet", args->quiet, "Print nothing but the start-up lines");
    cmd->add_flag("--no-wasm", args->no_wasm,
                  "Refuse WebAssembly (Stylus) contracts: code starting with 0xEF is refused as on Ethereum");
    cmd->add_option("--load-state", args->load_state, "Load a state dump (anvil_dumpState / --dump-state) at start");
    cmd->add_option("--dump-state", args->dump_state, "Write a state dump here on exit");
    cmd->add_option("--rpc-threads", args->rpc_threads, "Server threads (default 2)")->check(CLI::Range(1u, 1024u));
    cmd->add_option("--threads", args->threads,
                    "Threads that execute a block of many transactions in parallel and update its large tries "
                    "(default: the machine's cores; 1: sequential)")
        ->check(CLI::Range(1u, 1024u));
    Command c;
    c.app = cmd;
    c.run = [args]() -> int {
        node::NodeOptions o;
        try {
            if (args->host != "127.0.0.1" && args->host != "localhost")
                std::cerr << "warning: listening on " << args->host << ": anyone who can reach it can use the unlocked accounts\n";
            o.server.host = args->host == "localhost" ? "127.0.0.1" : args->host;
            o.server.port = args->port;
            o.server.cors = !args->no_cors;
            o.server.threads = std::max(1u, args->rpc_threads);
            o.execution_threads = args->threads;
            o.chain_id = args->chain_id;
            std::string error;
            const auto fork = parse_fork_option(args->fork, error);
            if (!fork) {
                std::cerr << "error: --fork: " << error << '\n';
                return 2;
            }
            if (*fork < Revision::Paris) {
                std::cerr << "error: --fork: the development node runs forks from Paris (the Merge) on\n";
                return 2;
            }
            o.fork = *fork;
            o.gas_limit = args->gas_limit;
            o.base_fee = parse_amount(args->base_fee, "--base-fee");
            o.balance = parse_amount(args->balance, "--balance") * uint256{1'000'000'000'000'000'000ull};
            o.accounts = args->accounts;
            o.mnemonic = args->mnemonic;
            o.storage.in_memory = args->in_memory;
            o.storage.data_dir = args->data_dir;
            o.storage.durable = args->durable;
            o.block_time = args->block_time;
            o.quiet = args->quiet;
            o.wasm_contracts = !args->no_wasm;
            if (!args->load_state.empty()) o.load_state = args->load_state;
            if (!args->dump_state.empty()) o.dump_state = args->dump_state;
            if (!args->genesis.empty()) {
                const Genesis g = load_genesis(args->genesis);
                o.genesis = node::DevGenesis{g.config, g.header, g.alloc};
                if (g.config.revision_at(g.header.timestamp) >= Revision::Cancun) node::add_missing_system_contracts(*o.genesis);
                o.chain_id = g.config.chain_id.low64();
            }
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what() << '\n';
            return 2;
        }

        std::unique_ptr<node::DevNode> dev;
        uint16_t port = 0;
        try {
            dev = std::make_unique<node::DevNode>(o);
            port = dev->start();
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what() << '\n';
            return 1;
        }
        std::cout << "polyvm node\n\nAvailable Accounts\n==================\n";
        for (size_t i = 0; i < dev->accounts().size(); ++i)
            std::cout << "(" << i << ") " << rpc::hex(dev->accounts()[i].address) << "\n";
        std::cout << "\nPrivate Keys\n==================\n";
        for (size_t i = 0; i < dev->accounts().size(); ++i)
            std::cout << "(" << i << ") " << rpc::hex(dev->accounts()[i].secret_key) << "\n";
        std::cout << "\nWallet\n==================\nMnemonic:          " << o.mnemonic
                  << "\nDerivation path:   m/44'/60'/0'/0/\n\nChain ID:          " << o.chain_id << "\n"
                  << dev->chain_status_line() << "\n\nListening on " << o.server.host << ":" << port << "\n"
                  << std::flush;

        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
        while (g_stop_signal == 0) pause();
        std::cout << "\nShutting down (signal " << g_stop_signal << "): committing the database\n" << std::flush;
        dev->stop();
        return 0;
    };
    return c;
}

}  // namespace polyvm::tools
