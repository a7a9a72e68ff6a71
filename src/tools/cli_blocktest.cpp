// `polyvm blocktest`: runs blockchain tests (shared/README.md, "fixtures/blockchain/") with the
// conventions of `polyvm statetest`: one FAIL line per failing case, the last line
// "N passed, M failed, K skipped", exit 0/1/2.
#include "common/large_stack_thread.hpp"
#include "state/memory_database.hpp"
#include "tools/blockchain_test.hpp"
#include "tools/cli.hpp"
#include "tools/database_factory.hpp"
#include "tools/regex.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>

namespace polyvm::tools {

namespace {
struct CaseItem {
    const FixtureFile* file = nullptr;
    const BlockchainTest* test = nullptr;
    CaseVerdict verdict;
    ParallelStatistics parallel;  // with --threads
};

/// One case per line, "<file> <test>", '#' starts the reason.
std::set<std::string> load_known_blocktest_failures(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw FixtureError(path.string() + ": cannot open the known-failures list");
    std::set<std::string> keys;
    for (std::string line; std::getline(in, line);) {
        if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos) continue;
        const auto last = line.find_last_not_of(" \t");
        keys.insert(line.substr(first, last - first + 1));
    }
    return keys;
}
}  // namespace

Command add_blocktest_command(CLI::App& parent) {
    struct Args {
        std::vector<std::string> paths;
        std::string fork, filter, known_failures, db = "memory";
        bool json = false;
        unsigned jobs = 1;
        unsigned threads = 1;
        size_t min_cases = 0;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("blocktest", "Run Ethereum blockchain tests (BlockchainTest JSON fixtures)");
    cmd->footer(
        "Imports each test's blocks into a fresh chain and checks that the valid blocks are accepted, the\n"
        "blocks with expectException are rejected for one of the named reasons, the head is lastblockhash and\n"
        "the state is postState (or has root postStateHash). Each failing case prints one line:\n"
        "  FAIL <file> <test> <network>: <reason>\n"
        "The last line is\n"
        "  N passed, M failed, K skipped\n"
        "Known-failures list: one \"<file> <test>\" per line, '# reason' after it; a listed case that passes\n"
        "counts as failed until removed. Exit status: 0 nothing failed, 1 a case failed, 2 bad usage or an\n"
        "unreadable/malformed file. Under CI=true a run that selects no case fails.\n");
    cmd->add_option("PATH", args->paths, "Fixture files or folders")->required();
    cmd->add_option("--fork", args->fork, "Run only the tests of this network (e.g. Prague, CancunToPragueAtTime15k)")
        ->type_name("NAME");
    cmd->add_option("--filter", args->filter, "Run only tests whose \"<file>/<test>\" matches this ECMAScript regex")
        ->type_name("REGEX");
    cmd->add_flag("--json", args->json, "Print one JSON object per case (file, test, network, result, reason)");
    cmd->add_option("--jobs,-j", args->jobs, "Worker threads (output order does not depend on it)")
        ->check(CLI::Range(1u, 1024u))
        ->type_name("N")
        ->capture_default_str();
    cmd->add_option("--threads", args->threads,
                    "Execute each block's transactions on N threads with the parallel executor (every block with a "
                    "transaction, so that all of them check it), and update each block's large tries on as many on LMDB "
                    "(1: the sequential executor)")
        ->check(CLI::Range(1u, 1024u))
        ->type_name("N")
        ->capture_default_str();
    cmd->add_option("--db", args->db, "State database: memory, or lmdb (a fresh database in a temporary folder per case)")
        ->check(CLI::IsMember(database_kinds()))
        ->capture_default_str();
    cmd->add_option("--known-failures", args->known_failures, "List of cases known to fail")->type_name("FILE");
    cmd->add_option("--min-cases", args->min_cases, "Fail unless at least N cases ran")->type_name("N");

    Command c;
    c.app = cmd;
    c.run = [args]() -> int {
        std::vector<std::filesystem::path> paths(args->paths.begin(), args->paths.end());
        std::vector<FixtureFile> files;
        std::set<std::string> known;
        std::optional<std::regex> filter;
        std::vector<std::vector<BlockchainTest>> tests;
        try {
            files = collect_fixture_files(paths);
            if (!args->known_failures.empty()) known = load_known_blocktest_failures(args->known_failures);
            if (!args->filter.empty()) filter.emplace(args->filter, std::regex::ECMAScript);
            for (const FixtureFile& f : files) tests.push_back(load_blockchain_test_file(f.path, f.path.string()));
        } catch (const std::regex_error& e) {
            std::cerr << "error: --filter: invalid regular expression \"" << args->filter << "\": " << e.what() << "\n";
            return kExitUsage;
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what() << "\n";
            return kExitUsage;
        }
        std::vector<CaseItem> items;
        for (size_t f = 0; f < files.size(); ++f)
            for (const BlockchainTest& t : tests[f]) {
                if (filter && !std::regex_search(files[f].relative + "/" + t.name, *filter)) continue;
                if (!args->fork.empty() && t.network != args->fork) continue;
                items.push_back({&files[f], &t, {}, {}});
            }

        // Each block's root on as many threads as its transactions (LMDB's trie updates).
        const DatabaseFactory factory = [make = database_factory(args->db), threads = args->threads] {
            std::unique_ptr<StateDatabase> db = make();
            db->set_trie_threads(threads);
            return db;
        };
        BlockExecutionOptions execution;
        execution.parallel.threads = args->threads;
        execution.parallel_min_transactions = 1;
        std::atomic<size_t> next{0};
        auto work = [&] {
            for (size_t i; (i = next++) < items.size();) {
                try {
                    BlockExecutionOptions case_execution = execution;
                    case_execution.parallel_statistics = &items[i].parallel;
                    items[i].verdict = run_blockchain_test(*items[i].test, factory, case_execution);
                } catch (const std::exception& e) {
                    items[i].verdict = {CaseResult::Fail, std::string("exception: ") + e.what()};
                }
            }
        };
        {
            std::vector<LargeStackThread> threads;
            for (unsigned j = 0; j < std::min<size_t>(args->jobs, std::max<size_t>(items.size(), 1)); ++j)
                threads.emplace_back(work);
        }

        size_t passed = 0, failed = 0, skipped = 0, known_count = 0;
        for (CaseItem& item : items) {
            const std::string key = item.file->relative + " " + item.test->name;
            CaseVerdict& v = item.verdict;
            const bool listed = known.erase(key) != 0;
            std::string label = v.result == CaseResult::Pass ? "PASS" : v.result == CaseResult::Skip ? "SKIP" : "FAIL";
            if (listed && v.result == CaseResult::Fail) {
                label = "KNOWN";
                ++known_count;
            } else if (listed && v.result == CaseResult::Pass) {
                label = "FIXED";
                v = {CaseResult::Fail, "listed as a known failure but passes: remove it from the list"};
                ++failed;
            } else if (v.result == CaseResult::Pass) {
                ++passed;
            } else if (v.result == CaseResult::Skip) {
                ++skipped;
            } else {
                ++failed;
            }
            if (args->json) {
                nlohmann::json j{{"file", item.file->relative}, {"test", item.test->name},
                                 {"network", item.test->network}, {"result", label}, {"reason", v.reason}};
                std::cout << j.dump() << "\n";
            } else if (label != "PASS") {
                std::cout << label << " " << item.file->relative << " " << item.test->name << " " << item.test->network
                          << ": " << v.reason << "\n";
            }
        }
        if (args->threads > 1) {
            // Shows that the parallel executor did the work (a run where it always gave up early
            // would pass through the sequential path and prove nothing).
            ParallelStatistics total;
            for (const CaseItem& item : items) {
                total.committed += item.parallel.committed;
                total.reexecutions += item.parallel.reexecutions;
                total.speculative_executions += item.parallel.speculative_executions;
                total.chunks_taken_over += item.parallel.chunks_taken_over;
            }
            std::cout << "parallel executor (" << args->threads << " threads): " << total.committed
                      << " transactions committed, " << total.reexecutions << " re-executed, "
                      << total.speculative_executions << " speculative executions, " << total.chunks_taken_over
                      << " chunks taken over whole\n";
        }
        if (known_count) std::cout << known_count << " known failures (listed in " << args->known_failures << ")\n";
        if (skipped) std::cout << skipped << " skipped (see SKIP lines with --json)\n";
        const bool ci = std::getenv("CI") && std::string(std::getenv("CI")) == "true";
        std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
        if (items.size() < args->min_cases) {
            std::cerr << "error: " << items.size() << " cases ran, fewer than --min-cases " << args->min_cases << "\n";
            return kExitFailed;
        }
        if (items.empty() && ci) {
            std::cerr << "error: no case selected (CI=true: a run that tests nothing is a failure)\n";
            return kExitFailed;
        }
        return failed ? kExitFailed : kExitOk;
    };
    return c;
}

}  // namespace polyvm::tools
