// Chain commands over a data directory: `polyvm import` (RLP blocks into the LMDB database),
// `polyvm dump` (the state as alloc JSON) and `polyvm makechain` (a generated test chain).
#include "chain/blockchain.hpp"
#include "common/hex.hpp"
#include "common/rlp.hpp"
#include "tools/chain_generator.hpp"
#include "tools/cli.hpp"
#include "tools/database_factory.hpp"
#include "tools/genesis.hpp"
#include "state/memory_database.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

namespace polyvm::tools {
namespace {
constexpr int kExitOk = 0, kExitError = 1, kExitUsage = 2;
constexpr std::string_view kGenesisKey = "genesis";  // meta record: the genesis file's JSON

bytes meta_key(std::string_view k) { return bytes(k.begin(), k.end()); }

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return ss.str();
}

/// The chain stored in a data directory, with the configuration its genesis record gives.
struct OpenChain {
    std::unique_ptr<StateDatabase> db;
    std::unique_ptr<Blockchain> chain;
};

OpenChain open_chain(const std::string& dir, bool sync, const std::string& genesis_path, bool must_exist,
                     size_t max_size = 0, std::optional<size_t> write_back_memory = std::nullopt) {
    OpenChain c;
    if (must_exist && !std::filesystem::exists(dir)) throw FixtureError("data dir " + dir + " does not exist");
    c.db = open_data_dir(dir, sync, max_size, write_back_memory);
    const auto stored = c.db->read_record(chain_tables::kMeta, meta_key(kGenesisKey));
    if (!stored) {
        if (genesis_path.empty())
            throw FixtureError("data dir " + dir + " holds no chain yet: give --genesis FILE to start one");
        const auto text = read_file(genesis_path);
        if (!text) throw FixtureError(genesis_path + ": cannot read the genesis file");
        const Genesis genesis = parse_genesis(*text, genesis_path);
        c.chain = std::make_unique<Blockchain>(*c.db, genesis.config);
        std::vector<RecordWrite> extra = {
            RecordWrite{std::string(chain_tables::kMeta), meta_key(kGenesisKey), bytes(text->begin(), text->end())}};
        if (auto e = c.chain->initialize(genesis.header, genesis.alloc, std::move(extra)))
            throw FixtureError("genesis: " + e->to_string());
        return c;
    }
    const Genesis genesis = parse_genesis(std::string(stored->begin(), stored->end()), dir + " (stored genesis)");
    if (!genesis_path.empty()) {
        const auto text = read_file(genesis_path);
        if (!text) throw FixtureError(genesis_path + ": cannot read the genesis file");
        const Genesis given = parse_genesis(*text, genesis_path);
        if (header_hash(given.header) != header_hash(genesis.header))
            throw FixtureError("--genesis " + genesis_path + " is not the genesis of the chain in " + dir);
    }
    c.chain = std::make_unique<Blockchain>(*c.db, genesis.config);
    return c;
}

Command add_import(CLI::App& parent) {
    struct Args {
        std::string data_dir, genesis;
        std::vector<std::string> files;
        bool sync_every_block = false;
        size_t batch = 256;
        size_t max_db_size = 0;
        size_t write_back_mib = 256;
        unsigned threads = 1;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("import", "Import RLP-encoded blocks into a chain database (LMDB)");
    cmd->footer(
        "Each FILE holds blocks back to back (RLP, as geth's export writes them). Blocks already in the\n"
        "chain are skipped, so an interrupted import resumes where it stopped. Each block commits\n"
        "atomically; the database is flushed to disk at the end of every batch (--batch) and at the end\n"
        "(--sync-every-block flushes each block). The latest blocks' state changes stay in memory, each\n"
        "block journaled, until they take --write-back-mib; then they are written to the tables in one go.\n"
        "Exit status: 0 all imported, 1 a block was invalid or the\n"
        "database failed, 2 bad usage or an unreadable file.\n");
    cmd->add_option("--data-dir", args->data_dir, "The chain's database folder (created if missing)")->required();
    cmd->add_option("--genesis", args->genesis, "geth genesis JSON; required to start a new chain")->type_name("FILE");
    cmd->add_flag("--sync-every-block", args->sync_every_block, "Flush every block to disk (slower)");
    cmd->add_option("--batch", args->batch, "Blocks per flush to disk")->capture_default_str()->check(CLI::Range(1u, 1u << 30));
    cmd->add_option("--max-db-size", args->max_db_size, "Largest database file in bytes (default 1 TiB)")->type_name("BYTES");
    cmd->add_option("--write-back-mib", args->write_back_mib, "Memory for state changes not yet written to the tables (0: write every block through)")
        ->capture_default_str()
        ->check(CLI::Range(size_t{0}, size_t{1} << 20));
    cmd->add_option("--threads", args->threads,
                    "Execute blocks of many transactions on N threads with the parallel executor, and update "
                    "their large tries on as many (1: sequential)")
        ->check(CLI::Range(1u, 1024u))
        ->capture_default_str();
    cmd->add_option("FILE", args->files, "RLP block files")->required();
    Command c;
    c.app = cmd;
    c.run = [args]() -> int {
        OpenChain open;
        try {
            open = open_chain(args->data_dir, args->sync_every_block, args->genesis, false, args->max_db_size, args->write_back_mib << 20);
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what() << "\n";
            return kExitUsage;
        }
        Blockchain& chain = *open.chain;
        BlockExecutionOptions execution;
        execution.parallel.threads = args->threads;
        chain.set_execution_options(execution);
        chain.database().set_trie_threads(args->threads);  // each block's root on as many
        using clock = std::chrono::steady_clock;
        const auto start = clock::now();
        auto last_report = start;
        uint64_t imported = 0, skipped = 0, gas = 0, txs = 0, since_flush = 0;
        auto report = [&](bool final) {
            const double seconds = std::chrono::duration<double>(clock::now() - start).count();
            std::cout << (final ? "imported " : "importing: ") << imported << " blocks (" << skipped
                      << " already known), " << txs << " transactions, " << gas / 1'000'000 << " Mgas, "
                      << (seconds > 0 ? static_cast<double>(gas) / 1e6 / seconds : 0.0) << " Mgas/s; head #"
                      << chain.head_header().number << " " << to_hex_prefixed(chain.head_hash()) << std::endl;
        };
        try {
            for (const std::string& file : args->files) {
                const auto text = read_file(file);
                if (!text) {
                    std::cerr << "error: " << file << ": cannot read\n";
                    return kExitUsage;
                }
                bytes_view rest = as_view(*text);
                for (size_t index = 0; !rest.empty(); ++index) {
                    auto item = rlp::decode_prefix(rest);
                    if (!item) {
                        std::cerr << "error: " << file << ": block " << index << " at byte " << text->size() - rest.size()
                                  << ": malformed RLP: " << item.error().message << "\n";
                        return kExitError;
                    }
                    rest = rest.subspan(item->encoded.size());
                    auto decoded = decode_block(item->encoded);
                    if (auto* e = std::get_if<BlockError>(&decoded)) {
                        std::cerr << "error: " << file << ": block " << index << ": " << e->to_string() << "\n";
                        return kExitError;
                    }
                    Block& block = std::get<Block>(decoded);
                    const Hash32 hash = header_hash(block.header);
                    if (chain.header(hash)) {
                        ++skipped;
                        continue;
                    }
                    const uint64_t block_gas = block.header.gas_used;
                    const size_t block_txs = block.transactions.size();
                    auto result = chain.import_block(std::move(block), item->encoded.size());
                    if (auto* e = std::get_if<BlockError>(&result)) {
                        std::cerr << "error: " << file << ": block " << index << " (" << to_hex_prefixed(hash)
                                  << ") rejected: " << e->to_string() << "\n";
                        return kExitError;
                    }
                    ++imported;
                    gas += block_gas;
                    txs += block_txs;
                    if (++since_flush >= args->batch) {
                        flush_to_disk(*open.db);
                        since_flush = 0;
                    }
                    if (clock::now() - last_report > std::chrono::seconds(5)) {
                        report(false);
                        last_report = clock::now();
                    }
                }
            }
            flush_to_disk(*open.db);
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what() << "\n";
            return kExitError;
        }
        report(true);
        return kExitOk;
    };
    return c;
}

Command add_dump(CLI::App& parent) {
    struct Args {
        std::string data_dir;
        std::optional<uint64_t> block;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("dump", "Print the state of a chain database as alloc JSON");
    cmd->footer(
        "Prints {\"0x<address>\": {\"balance\", \"nonce\", \"code\", \"storage\"}} of every account, sorted by\n"
        "address. With --block the state of that canonical block is printed: the head moves there (the\n"
        "database unwinds) and back afterwards.\n");
    cmd->add_option("--data-dir", args->data_dir, "The chain's database folder")->required();
    cmd->add_option("--block", args->block, "Canonical block number (default: the head)")->type_name("N");
    Command c;
    c.app = cmd;
    c.run = [args]() -> int {
        try {
            OpenChain open = open_chain(args->data_dir, true, "", true);
            Blockchain& chain = *open.chain;
            const Hash32 head = chain.head_hash();
            if (args->block) {
                const auto hash = open.db->read_block_hash(*args->block);
                if (!hash) {
                    std::cerr << "error: --block " << *args->block << ": no such canonical block (head is #"
                              << chain.head_header().number << ")\n";
                    return kExitUsage;
                }
                if (auto e = chain.set_head(*hash)) throw std::runtime_error(e->to_string());
            }
            nlohmann::ordered_json alloc = nlohmann::ordered_json::object();
            for (const auto& a : open.db->dump()) {
                nlohmann::ordered_json account;
                account["balance"] = a.info.balance.to_hex();
                account["nonce"] = uint256{a.info.nonce}.to_hex();
                if (a.code) account["code"] = to_hex_prefixed(*a.code);
                if (!a.storage.empty()) {
                    nlohmann::ordered_json storage = nlohmann::ordered_json::object();
                    for (const auto& [key, value] : a.storage) storage[key.to_hex()] = value.to_hex();
                    account["storage"] = storage;
                }
                alloc[to_hex_prefixed(a.address)] = account;
            }
            if (args->block && chain.head_hash() != head)
                if (auto e = chain.set_head(head)) throw std::runtime_error(e->to_string());
            std::cout << alloc.dump(2) << "\n";
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what() << "\n";
            return kExitError;
        }
        return kExitOk;
    };
    return c;
}

Command add_checkdb(CLI::App& parent) {
    auto data_dir = std::make_shared<std::string>();
    CLI::App* cmd = parent.add_subcommand("checkdb", "Check a chain database: the head's state root recomputed in full");
    cmd->footer(
        "Recomputes the state root from the accounts and slots alone (not the trie's stored branches) and\n"
        "compares it with the head block's header and the incrementally maintained root. Prints\n"
        "\"ok #<number> <hash> <root>\" and exits 0 when all three agree, 1 otherwise.\n");
    cmd->add_option("--data-dir", *data_dir, "The chain's database folder")->required();
    Command c;
    c.app = cmd;
    c.run = [data_dir]() -> int {
        try {
            OpenChain open = open_chain(*data_dir, true, "", true);
            const BlockHeader head = open.chain->head_header();
            MemoryDatabase full;
            for (const auto& a : open.db->dump())
                full.put_account(a.address, a.info, a.code ? bytes_view{*a.code} : bytes_view{}, a.storage);
            const Hash32 recomputed = full.state_root();
            const Hash32 stored = open.db->state_root();
            if (recomputed != head.state_root || stored != head.state_root) {
                std::cerr << "error: head #" << head.number << " header root " << to_hex_prefixed(head.state_root)
                          << ", recomputed " << to_hex_prefixed(recomputed) << ", stored " << to_hex_prefixed(stored)
                          << "\n";
                return kExitError;
            }
            std::cout << "ok #" << head.number << " " << to_hex_prefixed(open.chain->head_hash()) << " "
                      << to_hex_prefixed(recomputed) << "\n";
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what() << "\n";
            return kExitError;
        }
        return kExitOk;
    };
    return c;
}

Command add_makechain(CLI::App& parent) {
    struct Args {
        std::string out, workload = "transfers", fork = "Prague";
        size_t blocks = 10, txs = 200, senders = 64;
        uint64_t seed = 1;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("makechain", "Generate a test chain: OUT/genesis.json and OUT/chain.rlp");
    cmd->add_option("--out", args->out, "Output folder (created)")->required();
    cmd->add_option("--workload", args->workload, "transfers, erc20 or mix")->capture_default_str();
    cmd->add_option("--blocks", args->blocks, "Number of blocks")->capture_default_str();
    cmd->add_option("--txs", args->txs, "Transactions per block")->capture_default_str();
    cmd->add_option("--senders", args->senders, "Funded senders")->capture_default_str()->check(CLI::Range(1u, 100000u));
    cmd->add_option("--fork", args->fork, "Rules of the chain (Paris or later)")->capture_default_str();
    cmd->add_option("--seed", args->seed, "Random seed")->capture_default_str();
    Command c;
    c.app = cmd;
    c.run = [args]() -> int {
        ChainSpec spec;
        const auto workload = parse_workload(args->workload);
        std::string error;
        const auto fork = parse_fork_option(args->fork, error);
        if (!workload || !fork || *fork < Revision::Paris) {
            std::cerr << "error: " << (!workload ? "--workload: expected transfers, erc20 or mix" : !fork ? "--fork: " + error : "--fork: must be Paris or later") << "\n";
            return kExitUsage;
        }
        spec.workload = *workload;
        spec.revision = *fork;
        spec.blocks = args->blocks;
        spec.transactions_per_block = args->txs;
        spec.senders = args->senders;
        spec.seed = args->seed;
        try {
            const GeneratedChain chain = generate_chain(spec);
            std::filesystem::create_directories(args->out);
            std::ofstream genesis(std::filesystem::path(args->out) / "genesis.json");
            genesis << genesis_to_json(chain.genesis) << "\n";
            std::ofstream blocks(std::filesystem::path(args->out) / "chain.rlp", std::ios::binary);
            for (const bytes& b : chain.blocks) blocks.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
            if (!genesis || !blocks) throw std::runtime_error("cannot write to " + args->out);
            std::cout << "wrote " << chain.blocks.size() << " blocks, " << chain.total_transactions << " transactions, "
                      << chain.total_gas << " gas to " << args->out << "\n";
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what() << "\n";
            return kExitError;
        }
        return kExitOk;
    };
    return c;
}
}  // namespace

Command add_import_command(CLI::App& parent) { return add_import(parent); }
Command add_dump_command(CLI::App& parent) { return add_dump(parent); }
Command add_makechain_command(CLI::App& parent) { return add_makechain(parent); }
Command add_checkdb_command(CLI::App& parent) { return add_checkdb(parent); }

}  // namespace polyvm::tools
