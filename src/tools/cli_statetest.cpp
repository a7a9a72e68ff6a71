#include "tools/cli.hpp"
#include "tools/state_runner.hpp"
#include "tools/statetest_driver.hpp"
#include "tools/trace_adapter.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string_view>

namespace polyvm::tools {
namespace {

/// CI=true, the convention of CI services (and of .ci/run): there an empty run is a mistake.
bool running_in_ci() {
    const char* ci = std::getenv("CI");
    return ci && std::string_view(ci) == "true";
}

/// Accepts decimal digits only: CLI11 would read "-1" into a size_t as 2^64 - 1.
CLI::Validator whole_number() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) return {};
            return "expected a whole number >= 0, got \"" + text + "\"";
        },
        "");
}

}  // namespace

Command add_statetest_command(CLI::App& parent) {
    struct Args {
        std::vector<std::string> paths;
        std::string fork, filter, known_failures;
        bool json = false, trace = false;
        unsigned jobs = 1;
        unsigned threads = 1;
        size_t min_cases = 0;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("statetest", "Run Ethereum state tests (GeneralStateTest JSON fixtures)");
    cmd->footer(
        "Runs every case of every .json file under the PATHs (recursively, in sorted order).\n"
        "Each failing case prints one line:\n"
        "  FAIL <file> <test> <fork> d=<i> g=<j> v=<k>: <reason>\n"
        "with <file> relative to the PATH it was found under. The last line is\n"
        "  N passed, M failed, K skipped\n"
        "Cases of forks this build does not implement, or calling a precompile it lacks, are skipped.\n"
        "Known-failures list: one case per line in the FAIL line's format, '# reason' after it;\n"
        "blank and '#' lines are ignored. Listed failures print KNOWN and do not count as failed;\n"
        "listed cases that pass print FIXED and count as failed until removed from the list.\n"
        "With --min-cases N, fewer than N cases run (skipped ones do not count) is a failure; under\n"
        "the environment variable CI=true, so is a run that selects no case at all.\n"
        "Exit status: 0 nothing failed, 1 a case failed or too few cases ran, 2 bad usage or an\n"
        "unreadable/malformed file.\n" +
        fork_names_help());
    cmd->add_option("PATH", args->paths, "Fixture files or folders")->required();
    cmd->add_option("--fork", args->fork, "Run only the cases of this fork")->type_name("NAME");
    cmd->add_option("--filter", args->filter, "Run only tests whose \"<file>/<test>\" matches this ECMAScript regex")
        ->type_name("REGEX");
    cmd->add_flag("--json", args->json, "Print one JSON object per case (file, test, fork, indexes, result, reason)");
    cmd->add_option("--jobs,-j", args->jobs, "Worker threads (output order does not depend on it)")
        ->check(CLI::Range(1u, 1024u))
        ->type_name("N")
        ->capture_default_str();
    cmd->add_option("--threads", args->threads,
                    "Run each transaction as a one-transaction block through the parallel executor on N threads "
                    "(1: the sequential executor)")
        ->check(CLI::Range(1u, 1024u))
        ->type_name("N")
        ->capture_default_str();
    cmd->add_option("--known-failures", args->known_failures, "List of cases known to fail")->type_name("FILE");
    cmd->add_option("--min-cases", args->min_cases,
                    "Fail (exit 1) when fewer than N cases ran: guards a CI check against a fixture folder "
                    "that lost files or a filter that selects too little")
        ->check(whole_number())
        ->type_name("N");
    cmd->add_flag("--trace", args->trace,
                  "Write an EIP-3155 trace of every case run to stderr (implies --jobs 1; select one case with "
                  "--filter and --fork)");

    Command c;
    c.app = cmd;
    c.run = [args]() -> int {
        StateTestOptions options;
        for (const auto& p : args->paths) options.paths.emplace_back(p);
        if (!args->fork.empty()) {
            std::string error;
            options.fork = parse_fork_option(args->fork, error);
            if (!options.fork) {
                std::cerr << "error: --fork: " << error << "\n";
                return kExitUsage;
            }
        }
        options.filter = args->filter;
        options.json = args->json;
        options.jobs = args->jobs;
        if (!args->known_failures.empty()) options.known_failures = args->known_failures;
        options.min_cases = args->min_cases;
        options.fail_when_empty = running_in_ci();
        std::shared_ptr<Tracer> tracer;
        ExecutionOptions exec_options;
        if (args->trace) {
            // One tracer writing to one stream: cases must not interleave, so tracing runs on one thread.
            options.jobs = 1;
            tracer = make_eip3155_tracer(std::cerr);
            exec_options.tracer = tracer.get();
        }
        return run_state_tests(
            options,
            [&](const StateTest& t, const StateTestCase& c) {
                return run_state_test_case(t, c, exec_options, args->trace ? 1 : args->threads);
            },
            std::cout, std::cerr);
    };
    return c;
}

}  // namespace polyvm::tools
