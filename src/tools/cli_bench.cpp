#include "tools/bench_runner.hpp"
#include "tools/cli.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>

namespace polyvm::tools {

Command add_bench_command(CLI::App& parent) {
    auto options = std::make_shared<BenchOptions>();
    std::vector<std::string> paths;
    auto path_args = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = parent.add_subcommand("bench", "Time the top-level call of state-test-shaped EVM benchmarks");
    cmd->footer(
        "Each case: the code of the `pre` account at transaction.to, called with each `data` input.\n"
        "Setup (state copy, host) and code analysis are outside the timed region; analysis is timed\n"
        "separately. The transaction is also run once and its post-state compared with the fixture.\n"
        "Names are <folder>/<file>/<label>, e.g. main/snailtracer/benchmark.\n"
        "Default PATH: $POLYVM_FIXTURES/bench (or ../shared/fixtures/bench).\n"
        "Exit status: 0, 1 if a result did not match its fixture, 2 for bad input.");
    cmd->add_option("paths", *path_args, "Benchmark files or folders")->type_name("PATH");
    cmd->add_option("--filter", options->filter, "Keep benchmarks whose name matches this regex")->type_name("REGEX");
    cmd->add_option("--repetitions", options->repetitions, "Timed samples per benchmark, each of --min-time after 20 ms of warm-up (median reported)")
        ->type_name("N")
        ->capture_default_str();
    cmd->add_option("--min-time", options->min_time,
                    "Seconds of executions per sample (evmone-bench's --benchmark_min_time; its default is 0.5)")
        ->type_name("SECONDS")
        ->capture_default_str();
    cmd->add_flag("--json", options->json,
                  "One JSON object per benchmark: name, gas_used, median_ns, min_ns, analysis_ns, mgas_per_s, correct");

    Command c;
    c.app = cmd;
    c.run = [options, path_args]() -> int {
        if (path_args->empty()) {
            const char* env = std::getenv("POLYVM_FIXTURES");
            path_args->push_back(env && *env ? std::string(env) + "/bench" : std::string("../shared/fixtures/bench"));
        }
        for (const auto& p : *path_args) options->paths.emplace_back(p);
        return run_benchmarks(*options, std::cout, std::cerr);
    };
    return c;
}

}  // namespace polyvm::tools
