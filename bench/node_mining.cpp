// The development node's miner without HTTP or a load generator: the transactions that
// bench_node_loadgen wrote (its setup.json and transfers_*.txt, or a swaps folder) go through
// DevNode::handle_async, the path the server's I/O threads take, with at most WINDOW of them
// unanswered at a time as wrk's connections keep them. What the HTTP benchmark cannot tell
// apart from its noise (the load generator shares the two cores), this measures per thread:
// the miner's CPU time per mined transaction (from /proc/self/task/*/schedstat, in ns) and the
// submitting thread's (decoding and sender recovery).
//   bench_node_mining --load DIR [--rounds N] [--window N] [--data-dir DIR (default: in memory)] [--in-order]
//                     [--threads N (default: the cores, as polyvm node)]
#include "db/lmdb_database.hpp"
#include "node/dev_node.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace polyvm;
using json = nlohmann::json;

namespace {

struct Options {
    std::filesystem::path load;
    int rounds = 5;
    size_t window = 32;
    std::optional<std::filesystem::path> data_dir;
    bool in_order = false;  // setup calls one at a time (deployments), as rpc_tool.py setup-in-order
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());  // as `polyvm node --threads`
};

/// Nanoseconds the thread named `name` has run (schedstat's first field), or -1.
int64_t thread_run_ns(const std::string& name) {
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream comm(task.path() / "comm");
        std::string line;
        std::getline(comm, line);
        if (line != name) continue;
        std::ifstream schedstat(task.path() / "schedstat");
        int64_t run_ns = -1;
        schedstat >> run_ns;
        return run_ns;
    }
    return -1;
}

int64_t this_thread_cpu_ns() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

std::vector<std::string> read_lines(const std::filesystem::path& path) {
    std::vector<std::string> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(std::move(line));
    return lines;
}

/// A request through the server's path, waiting for its answer.
json call(node::DevNode& dev, const std::string& body) {
    std::mutex m;
    std::condition_variable cv;
    std::optional<std::string> answer;
    dev.handle_async(body, rpc::CallContext{}, [&](std::string text) {
        std::lock_guard lock(m);
        answer = std::move(text);
        cv.notify_one();
    });
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return answer.has_value(); });
    return json::parse(*answer);
}

bool has_error(const json& answer) {
    if (answer.is_array()) return std::any_of(answer.begin(), answer.end(), [](const json& a) { return a.contains("error"); });
    return answer.contains("error");
}

struct RoundResult {
    double seconds = 0;
    double miner_us_per_tx = 0;
    double submitter_us_per_tx = 0;
    size_t errors = 0;
    uint64_t blocks = 0;
    LmdbDatabase::WriteBackStatistics write_back;  // over the round (the setup's included)
};

RoundResult run_round(const Options& o, const std::vector<std::string>& transactions) {
    node::NodeOptions options;
    options.server.port = 0;
    options.quiet = true;
    options.execution_threads = o.threads;
    if (o.data_dir) {
        std::filesystem::remove_all(*o.data_dir);
        options.storage.data_dir = o.data_dir->string();
    } else {
        options.storage.in_memory = true;
    }
    node::DevNode dev(options);
    dev.start();

    const std::string setup_text = [&] {
        std::ifstream in(o.load / "setup.json");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }();
    const json setup = json::parse(setup_text);
    if (o.in_order) {
        for (const json& c : setup)
            if (has_error(call(dev, c.dump()))) throw std::runtime_error("setup call failed: " + c.dump().substr(0, 200));
    } else if (has_error(call(dev, setup_text))) {
        throw std::runtime_error("a setup call failed");
    }
    const uint64_t first_block = dev.chain().head_number_now();

    RoundResult r;
    std::mutex m;
    std::condition_variable cv;
    size_t in_flight = 0;
    size_t answered = 0;
    const int64_t miner_before = thread_run_ns("polyvm-miner");
    const int64_t submitter_before = this_thread_cpu_ns();
    const auto t0 = std::chrono::steady_clock::now();
    for (const std::string& body : transactions) {
        {
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return in_flight < o.window; });
            ++in_flight;
        }
        dev.handle_async(body, rpc::CallContext{}, [&](std::string text) {
            const bool error = text.find("\"error\"") != std::string::npos;
            std::lock_guard lock(m);
            --in_flight;
            ++answered;
            if (error) ++r.errors;
            cv.notify_all();
        });
    }
    {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return answered == transactions.size(); });
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double n = static_cast<double>(transactions.size());
    r.miner_us_per_tx = static_cast<double>(thread_run_ns("polyvm-miner") - miner_before) / 1000.0 / n;
    r.submitter_us_per_tx = static_cast<double>(this_thread_cpu_ns() - submitter_before) / 1000.0 / n;
    r.blocks = dev.chain().head_number_now() - first_block;
    if (auto* lmdb = dynamic_cast<LmdbDatabase*>(&dev.chain().database())) r.write_back = lmdb->write_back_statistics();
    dev.stop();
    if (o.data_dir) std::filesystem::remove_all(*o.data_dir);
    return r;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
            return argv[++i];
        };
        try {
            if (arg == "--load") o.load = value();
            else if (arg == "--rounds") o.rounds = std::stoi(value());
            else if (arg == "--window") o.window = std::stoul(value());
            else if (arg == "--data-dir") o.data_dir = value();
            else if (arg == "--in-order") o.in_order = true;
            else if (arg == "--threads") o.threads = static_cast<unsigned>(std::max(1, std::stoi(value())));
            else throw std::invalid_argument("unknown option " + arg);
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what()
                      << "\nusage: bench_node_mining --load DIR [--rounds N] [--window N] [--data-dir DIR] [--in-order] [--threads N]\n";
            return 2;
        }
    }
    if (o.load.empty() || !std::filesystem::exists(o.load / "setup.json") || o.rounds < 1 || o.window < 1) {
        std::cerr << "error: --load DIR must hold bench_node_loadgen's setup.json and transfers_*.txt\n";
        return 2;
    }
    // The senders' transactions interleaved as the load generator's threads send them.
    std::vector<std::vector<std::string>> files;
    for (int f = 0; std::filesystem::exists(o.load / ("transfers_" + std::to_string(f) + ".txt")); ++f)
        files.push_back(read_lines(o.load / ("transfers_" + std::to_string(f) + ".txt")));
    std::vector<std::string> transactions;
    for (size_t i = 0;; ++i) {
        bool any = false;
        for (const auto& lines : files)
            if (i < lines.size()) transactions.push_back(lines[i]), any = true;
        if (!any) break;
    }
    if (transactions.empty()) {
        std::cerr << "error: no transactions under " << o.load << "\n";
        return 2;
    }

    std::vector<double> seconds, miner, submitter;
    for (int round = 1; round <= o.rounds; ++round) {
        const RoundResult r = run_round(o, transactions);
        std::printf("round %d: %zu transactions, %llu blocks, %zu errors, %.3f s (%.0f tx/s), miner %.1f us/tx, submitter %.1f us/tx"
                    ", %llu write-backs (%.3f s), %zu entries in memory\n",
                    round, transactions.size(), static_cast<unsigned long long>(r.blocks), r.errors, r.seconds,
                    static_cast<double>(transactions.size()) / r.seconds, r.miner_us_per_tx, r.submitter_us_per_tx,
                    static_cast<unsigned long long>(r.write_back.write_backs), r.write_back.write_back_seconds,
                    r.write_back.dirty_entries);
        if (r.errors != 0 || r.blocks != transactions.size()) {
            std::fprintf(stderr, "error: %zu error answers, %llu blocks for %zu transactions\n", r.errors,
                         static_cast<unsigned long long>(r.blocks), transactions.size());
            return 1;
        }
        seconds.push_back(r.seconds);
        miner.push_back(r.miner_us_per_tx);
        submitter.push_back(r.submitter_us_per_tx);
    }
    std::printf("median of %d: %.3f s, miner %.1f us/tx (min %.1f), submitter %.1f us/tx\n", o.rounds, median(seconds),
                median(miner), *std::min_element(miner.begin(), miner.end()), median(submitter));
    return 0;
}
