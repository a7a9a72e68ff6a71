#include "tools/bench_runner.hpp"

#include "common/large_stack_thread.hpp"
#include "evm/analysis.hpp"
#include "evm/interpreter.hpp"
#include "exec/execution_host.hpp"
#include "tools/regex.hpp"
#include "tools/state_runner.hpp"
#include "tools/statetest_driver.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace polyvm::tools {
namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

Message BenchmarkCall::message() const {
    Message msg;
    msg.kind = CallKind::Call;
    msg.gas = static_cast<int64_t>(tx.gas_limit) - intrinsic_gas(tx, revision);
    msg.sender = tx.sender;
    msg.recipient = *tx.to;
    msg.code_address = *tx.to;
    msg.input = tx.data;
    msg.value = tx.value;
    return msg;
}

TxContext BenchmarkCall::context() const { return transaction_context(block, tx, revision, chain_id, uint256{}); }

State BenchmarkCall::fresh_state() const {
    State s = pre;
    warm_transaction_accounts(s, block, tx, revision);
    return s;
}

std::optional<BenchmarkCall> prepare_benchmark_call(const StateTest& test, const StateTestCase& c, std::string& error) {
    if (!c.tx || !c.tx->to) {
        error = "not a call transaction";
        return std::nullopt;
    }
    BenchmarkCall call;
    call.revision = c.revision;
    call.block = block_for(test, c.revision);
    call.chain_id = test.chain_id;
    call.tx = *c.tx;
    call.pre = build_pre_state(test.pre);
    const Account* target = call.pre.find(*call.tx.to);
    if (!target || target->code_size() == 0) {
        error = "the called account has no code";
        return std::nullopt;
    }
    call.analysis = analyze(target->code_view(), call.revision);
    return call;
}

namespace {

BenchResult run_one(const StateTest& test, const StateTestCase& c, const std::string& name, const BenchOptions& options) {
    const unsigned repetitions = options.repetitions;
    BenchResult r;
    r.name = name;
    const CaseVerdict verdict = run_state_test_case(test, c);
    r.correct = verdict.result == CaseResult::Pass;
    if (!r.correct) r.error = verdict.reason;

    std::optional<BenchmarkCall> call = prepare_benchmark_call(test, c, r.error);
    if (!call) return r;

    // Analysis, timed on its own (prepare_benchmark_call's copy is the one executed).
    std::vector<double> analysis_samples;
    for (unsigned i = 0; i < std::max(3u, repetitions); ++i) {
        const auto t0 = Clock::now();
        const CodeAnalysis analysis = analyze(call->analysis.code(), call->revision);
        analysis_samples.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count());
    }
    r.analysis_ns = median(analysis_samples);

    const Message msg = call->message();
    const TxContext ctx = call->context();

    // Steady state, as Google Benchmark (evmone-bench) measures it: executions are timed in
    // batches (each on its own fresh state, built untimed) of about 1 ms; batches run untimed for
    // kWarmupNs first, then each sample adds batches until `options.min_time`. Timing only the
    // first few executions measured the allocator's and caches' warm-up, which made
    // microsecond-long cases look up to 1.5x slower than they run.
    auto execute_batch = [&](size_t batch, int64_t& gas_used) {
        std::vector<State> states;
        states.reserve(batch);
        std::vector<std::unique_ptr<ExecutionHost>> hosts;
        hosts.reserve(batch);
        for (size_t i = 0; i < batch; ++i) {
            states.push_back(call->fresh_state());
            hosts.push_back(std::make_unique<ExecutionHost>(states.back(), call->revision, ctx, nullptr));
        }
        const auto t0 = Clock::now();
        int64_t gas_left = 0;
        for (size_t i = 0; i < batch; ++i) gas_left = execute(*hosts[i], call->revision, msg, call->analysis).gas_left;
        const double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
        gas_used = msg.gas - gas_left;
        return ns;
    };
    constexpr double kBatchNs = 1e6, kWarmupNs = 20e6;
    const double sample_ns = options.min_time * 1e9;
    int64_t gas_used = 0;
    double per_execution = execute_batch(1, gas_used);
    auto next_batch = [&] { return std::clamp<size_t>(static_cast<size_t>(kBatchNs / std::max(per_execution, 1.0)), 1, 1000); };
    for (double warm = per_execution; warm < kWarmupNs;) {
        const size_t batch = next_batch();
        const double ns = execute_batch(batch, gas_used);
        per_execution = ns / static_cast<double>(batch);
        warm += ns;
    }
    std::vector<double> samples;
    for (unsigned i = 0; i < repetitions; ++i) {
        double ns = 0;
        size_t executions = 0;
        while (ns < sample_ns) {
            const size_t batch = next_batch();
            ns += execute_batch(batch, gas_used);
            executions += batch;
        }
        samples.push_back(ns / static_cast<double>(executions));
    }
    r.gas_used = gas_used;
    r.median_ns = median(samples);
    r.min_ns = samples.empty() ? 0 : *std::min_element(samples.begin(), samples.end());
    return r;
}

std::string format_time(double ns) {
    char buf[32];
    if (ns >= 1e6) std::snprintf(buf, sizeof(buf), "%.2f ms", ns / 1e6);
    else if (ns >= 1e3) std::snprintf(buf, sizeof(buf), "%.2f us", ns / 1e3);
    else std::snprintf(buf, sizeof(buf), "%.0f ns", ns);
    return buf;
}

}  // namespace

int run_benchmarks(const BenchOptions& options, std::ostream& out, std::ostream& err) {
    std::vector<FixtureFile> files;
    std::optional<std::regex> filter;
    try {
        files = collect_fixture_files(options.paths);
        if (!options.filter.empty()) filter.emplace(options.filter, std::regex::ECMAScript);
    } catch (const FixtureError& e) {
        err << "error: " << e.what() << "\n";
        return 2;
    } catch (const std::regex_error& e) {
        err << "error: --filter: invalid regular expression: " << e.what() << "\n";
        return 2;
    }
    if (!(options.min_time > 0 && options.min_time <= 60)) {
        err << "error: --min-time must be more than 0 and at most 60 seconds\n";
        return 2;
    }
    if (options.repetitions == 0) {
        err << "error: --repetitions must be at least 1\n";
        return 2;
    }

    if (!options.json) {
        char header[160];
        std::snprintf(header, sizeof(header), "%-44s %14s %12s %10s %12s", "benchmark", "gas used", "median", "Mgas/s",
                      "analysis");
        out << header << "\n";
    }
    int exit_code = 0;
    for (const auto& file : files) {
        std::vector<StateTest> tests;
        try {
            tests = load_state_test_file(file.path, file.relative);
        } catch (const FixtureError& e) {
            err << "error: " << e.what() << "\n";
            return 2;
        }
        const std::string folder = file.path.parent_path().filename().string();
        const std::string stem = file.path.stem().string();
        for (const auto& test : tests) {
            // One benchmark per input: the newest implemented fork listed for it.
            std::map<size_t, const StateTestCase*> by_input;
            for (const auto& c : test.cases) {
                if (!revision_implemented(c.revision)) continue;
                auto& slot = by_input[c.indexes.data];
                if (!slot || slot->revision < c.revision) slot = &c;
            }
            for (const auto& [data_index, c] : by_input) {
                const auto l = test.labels.find(data_index);
                const std::string label = l != test.labels.end() ? l->second : "d" + std::to_string(data_index);
                const std::string name = folder + "/" + stem + "/" + label;
                if (filter && !std::regex_search(name, *filter)) continue;
                BenchResult r;
                run_with_large_stack([&, c = c] { r = run_one(test, *c, name, options); });
                if (!r.correct) exit_code = 1;
                const double mgas = r.median_ns > 0 ? static_cast<double>(r.gas_used) / r.median_ns * 1e3 : 0;
                if (options.json) {
                    nlohmann::json j{{"name", r.name},          {"gas_used", r.gas_used},
                                     {"median_ns", r.median_ns}, {"min_ns", r.min_ns}, {"analysis_ns", r.analysis_ns},
                                     {"mgas_per_s", mgas},       {"correct", r.correct}};
                    if (!r.error.empty()) j["error"] = r.error;
                    out << j.dump() << std::endl;
                } else {
                    char line[200];
                    std::snprintf(line, sizeof(line), "%-44s %14lld %12s %10.1f %12s%s", r.name.c_str(),
                                  static_cast<long long>(r.gas_used), format_time(r.median_ns).c_str(), mgas,
                                  format_time(r.analysis_ns).c_str(), r.correct ? "" : "  WRONG RESULT");
                    out << line << std::endl;
                    if (!r.error.empty()) err << r.name << ": " << r.error << "\n";
                }
            }
        }
    }
    return exit_code;
}

}  // namespace polyvm::tools
