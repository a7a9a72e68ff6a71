// `polyvm bench-blocks`: the parallel executor against the sequential one on generated blocks
// (tools/block_workloads.hpp). Per workload and thread count: the median time from the block's
// decoded transactions (senders known in both modes) to its post-state, receipts and state root,
// execution alone as well, Mgas/s, the speedup over the sequential executor and re-executions.
// Thread counts are interleaved within each round so that both see the same machine.
#include "tools/block_workloads.hpp"
#include "tools/cli.hpp"
#include "tools/database_factory.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

namespace polyvm::tools {

namespace {
struct Sample {
    double seconds = 0;            // execution, receipts and the state root
    double execution_seconds = 0;  // execute_block_body alone
    ParallelStatistics statistics;
};

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double load_average() {
    double load = -1;
    if (FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &load) != 1) load = -1;
        std::fclose(f);
    }
    return load;
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) items.push_back(item);
    return items;
}
}  // namespace

Command add_bench_blocks_command(CLI::App& parent) {
    struct Args {
        std::string workloads, threads = "1,2", db = "lmdb", token = "bench/fixtures/TestToken.creation.hex",
                    uniswap = "bench/fixtures/uniswap";
        size_t transactions = 10'000;
        unsigned runs = 5;
        bool json = false;
        bool transfer_credits = false;
        bool no_deferred_balances = false;
        std::string strategy = "auto";
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("bench-blocks", "Time the parallel executor against the sequential one on generated blocks");
    cmd->footer(
        "Workloads: raw_transfers, erc20_transfers, uniswap_swaps (100 pools), mixed_10pct_contended,\n"
        "transfers_contended, erc20_contended, uniswap_contended (one pool) (default: all). Each block is\n"
        "executed --runs times per thread count, thread counts interleaved; medians are reported. Thread\n"
        "count 1 is the sequential executor, the baseline of the speedup (always run).\n"
        "Every run's state root and gas must equal the sequential run's, or the command fails (exit 1).");
    cmd->add_option("--workloads", args->workloads, "Comma-separated workload names")->type_name("LIST");
    cmd->add_option("--threads", args->threads, "Comma-separated thread counts")->type_name("LIST")->capture_default_str();
    cmd->add_option("--transactions", args->transactions, "Transactions per block")->capture_default_str();
    cmd->add_option("--runs", args->runs, "Runs per workload and thread count")->check(CLI::Range(1u, 1000u))->capture_default_str();
    cmd->add_option("--db", args->db, "State database the block runs on: lmdb (incremental roots) or memory")
        ->check(CLI::IsMember(database_kinds()))
        ->capture_default_str();
    cmd->add_option("--token", args->token,
                    "Creation code (hex file) of the ERC-20, OpenZeppelin's by default; 'builtin': the hand-written one")
        ->capture_default_str();
    cmd->add_option("--uniswap", args->uniswap,
                    "Folder of Uniswap V2's creation code (WETH9, ERC20, UniswapV2Factory, UniswapV2Router02 .creation.hex)")
        ->capture_default_str();
    cmd->add_flag("--transfer-credits", args->transfer_credits,
                  "Plain transfers to a popular recipient credit it at commit (ParallelOptions::fold_transfer_credits)");
    cmd->add_flag("--no-deferred-balances", args->no_deferred_balances,
                  "Contracts' balances are read like any other field (ParallelOptions::defer_contract_balances off)");
    cmd->add_option("--strategy", args->strategy,
                    "How blocks are shared out: chunks (a run of transactions per thread, taken over whole), "
                    "block-stm, or auto (chunks up to 4 threads) (ParallelOptions::strategy)")
        ->check(CLI::IsMember({"auto", "chunks", "block-stm"}))
        ->capture_default_str();
    cmd->add_flag("--json", args->json,
                  "One JSON object per workload and thread count (workload, threads, seconds, execution_seconds, "
                  "mgas_per_s, speedup, execution_speedup, reexecutions, chunks_taken_over, load_average)");

    Command c;
    c.app = cmd;
    c.run = [args]() -> int {
        std::vector<BlockWorkload> workloads;
        for (const std::string& name : split_list(args->workloads)) {
            const auto w = parse_block_workload(name);
            if (!w) {
                std::cerr << "error: --workloads: unknown workload \"" << name << "\"\n";
                return 2;
            }
            workloads.push_back(*w);
        }
        std::optional<UniswapCode> uniswap;
        try {
            uniswap = load_uniswap_code(args->uniswap);
        } catch (const std::exception& e) {
            const bool asked = std::find_if(workloads.begin(), workloads.end(), [](BlockWorkload w) {
                                   return w == BlockWorkload::UniswapSwaps || w == BlockWorkload::UniswapContended;
                               }) != workloads.end();
            if (asked) {
                std::cerr << "error: --uniswap: " << e.what() << " (run from the repository root)\n";
                return 2;
            }
        }
        if (workloads.empty()) workloads = benchmark_workloads(uniswap.has_value());
        std::vector<unsigned> thread_counts{1};
        for (const std::string& t : split_list(args->threads)) {
            unsigned value = 0;
            try {
                value = static_cast<unsigned>(std::stoul(t));
            } catch (const std::exception&) {
            }
            if (value < 1 || value > 1024) {
                std::cerr << "error: --threads: \"" << t << "\" is not a thread count (1 to 1024)\n";
                return 2;
            }
            if (std::find(thread_counts.begin(), thread_counts.end(), value) == thread_counts.end())
                thread_counts.push_back(value);
        }
        bytes token_code;
        if (args->token != "builtin") {
            try {
                token_code = read_creation_code(args->token);
            } catch (const std::exception& e) {
                std::cerr << "error: --token: " << e.what() << " (run from the repository root, or --token builtin)\n";
                return 2;
            }
        }

        const DatabaseFactory factory = database_factory(args->db);
        bool all_exact = true;
        if (!args->json)
            std::cout << "workload                 threads   seconds  exec s   Mgas/s  speedup  exec speedup  re-executions  chunks  load\n";
        for (BlockWorkload workload : workloads) {
            WorkloadSpec spec;
            spec.workload = workload;
            spec.transactions = args->transactions;
            spec.token_creation_code = token_code;
            spec.uniswap = uniswap;
            const WorkloadBlock block = make_workload_block(spec);
            auto db = factory();
            db->commit(block.pre_state);

            std::map<unsigned, std::vector<Sample>> samples;
            std::optional<Hash32> sequential_root;
            uint64_t gas = 0;
            for (unsigned run = 0; run < args->runs; ++run)
                for (unsigned threads : thread_counts) {
                    std::vector<Transaction> transactions = block.transactions;
                    BlockExecutionOptions options;
                    options.senders_known = true;
                    options.parallel.threads = threads;
                    options.parallel.fold_transfer_credits = args->transfer_credits;
                    options.parallel.defer_contract_balances = !args->no_deferred_balances;
                    options.parallel.strategy = args->strategy == "chunks"      ? ParallelOptions::Strategy::Chunks
                                                : args->strategy == "block-stm" ? ParallelOptions::Strategy::BlockStm
                                                                                : ParallelOptions::Strategy::Auto;
                    Sample sample;
                    options.parallel_statistics = &sample.statistics;
                    db->set_trie_threads(threads);  // the root's tries too (LMDB): threads=1 is all sequential
                    State state(db.get());
                    const auto start = std::chrono::steady_clock::now();
                    auto result = execute_block_body(state, block.env, transactions, block.config, options);
                    const auto executed = std::chrono::steady_clock::now();
                    if (auto* e = std::get_if<BlockError>(&result)) {
                        std::cerr << "error: " << workload_name(workload) << ": block rejected: " << e->to_string() << "\n";
                        return 1;
                    }
                    const Hash32 root = db->preview_root(state.changes(threads));
                    const auto end = std::chrono::steady_clock::now();
                    sample.seconds = std::chrono::duration<double>(end - start).count();
                    sample.execution_seconds = std::chrono::duration<double>(executed - start).count();
                    const uint64_t block_gas = std::get<ExecutedBlock>(result).gas_used;
                    if (!sequential_root) {
                        sequential_root = root;
                        gas = block_gas;
                    } else if (root != *sequential_root || block_gas != gas) {
                        std::cerr << "error: " << workload_name(workload) << " with " << threads
                                  << " threads: state root or gas differs from the sequential executor's\n";
                        all_exact = false;
                    }
                    samples[threads].push_back(sample);
                }

            std::vector<double> sequential_seconds, sequential_execution;
            for (const Sample& s : samples[1]) {
                sequential_seconds.push_back(s.seconds);
                sequential_execution.push_back(s.execution_seconds);
            }
            const double baseline = median(sequential_seconds), execution_baseline = median(sequential_execution);
            for (unsigned threads : thread_counts) {
                std::vector<double> seconds, execution, reexecutions, chunks;
                for (const Sample& s : samples[threads]) {
                    seconds.push_back(s.seconds);
                    execution.push_back(s.execution_seconds);
                    reexecutions.push_back(static_cast<double>(s.statistics.reexecutions));
                    chunks.push_back(static_cast<double>(s.statistics.chunks_taken_over));
                }
                const double t = median(seconds), e = median(execution);
                const double mgas = static_cast<double>(gas) / t / 1e6;
                if (args->json) {
                    nlohmann::json j{{"workload", workload_name(workload)},
                                     {"threads", threads},
                                     {"transactions", block.transactions.size()},
                                     {"seconds", t},
                                     {"execution_seconds", e},
                                     {"mgas_per_s", mgas},
                                     {"speedup", baseline / t},
                                     {"execution_speedup", execution_baseline / e},
                                     {"reexecutions", median(reexecutions)},
                                     {"chunks_taken_over", median(chunks)},
                                     {"load_average", load_average()}};
                    std::cout << j.dump() << std::endl;
                } else {
                    std::cout << std::left << std::setw(24) << workload_name(workload) << std::right << std::setw(8)
                              << threads << std::fixed << std::setprecision(4) << std::setw(10) << t << std::setw(8) << e
                              << std::setprecision(1) << std::setw(9) << mgas << std::setprecision(2) << std::setw(9)
                              << baseline / t << std::setw(14) << execution_baseline / e << std::setprecision(0)
                              << std::setw(15) << median(reexecutions) << std::setw(8) << median(chunks)
                              << std::setprecision(2) << std::setw(6) << load_average() << std::endl;
                }
            }
        }
        return all_exact ? 0 : 1;
    };
    return c;
}

}  // namespace polyvm::tools
