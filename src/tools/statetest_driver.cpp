#include "tools/statetest_driver.hpp"

#include "tools/known_failures.hpp"
#include "tools/regex.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/large_stack_thread.hpp"

namespace polyvm::tools {
namespace fs = std::filesystem;

std::vector<FixtureFile> collect_fixture_files(const std::vector<fs::path>& paths) {
    std::vector<FixtureFile> files;
    for (const auto& root : paths) {
        std::error_code ec;
        if (fs::is_directory(root, ec)) {
            std::vector<FixtureFile> found;
            fs::recursive_directory_iterator it(root, fs::directory_options::follow_directory_symlink, ec);
            if (ec) throw FixtureError(root.string() + ": cannot list the folder: " + ec.message());
            for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
                if (ec) throw FixtureError(root.string() + ": cannot list the folder: " + ec.message());
                if (it->path().extension() != ".json" || !it->is_regular_file(ec)) continue;
                found.push_back({it->path(), it->path().lexically_relative(root).generic_string()});
            }
            if (ec) throw FixtureError(root.string() + ": cannot list the folder: " + ec.message());
            // Directory iteration order is whatever the filesystem gives: sort for reproducible output.
            std::sort(found.begin(), found.end(),
                      [](const FixtureFile& a, const FixtureFile& b) { return a.relative < b.relative; });
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(root, ec)) {
            files.push_back({root, root.filename().generic_string()});
        } else {
            throw FixtureError(root.string() + ": no such file or folder");
        }
    }
    return files;
}

namespace {

struct CaseItem {
    size_t test = 0;
    size_t index = 0;  // into StateTest::cases
    CaseVerdict verdict;
};

/// One fixture file on its way through the pool. Workers fill it; the printing thread reads it once
/// `done` is set and then frees it.
struct FileSlot {
    FixtureFile file;
    std::vector<StateTest> tests;
    std::vector<CaseItem> items;
    std::string error;  // the file could not be loaded
    size_t remaining = 0;
    bool done = false;
};

const char* result_name(CaseResult r) {
    switch (r) {
        case CaseResult::Pass: return "pass";
        case CaseResult::Fail: return "fail";
        case CaseResult::Skip: return "skip";
    }
    return "?";
}

class Pool {
public:
    Pool(std::vector<FileSlot>& slots, const StateTestOptions& options, const std::optional<std::regex>& filter,
         const CaseRunner& runner)
        : slots_(slots), options_(options), filter_(filter), runner_(runner),
          // Bounds the parsed-but-unreported files in memory while keeping every worker busy.
          max_loaded_(std::max<size_t>(2, 4 * size_t{options.jobs})) {}

    void start() {
        for (unsigned i = 0; i < std::max(1u, options_.jobs); ++i) threads_.emplace_back([this] { work(); });
    }
    void join() {
        for (auto& t : threads_) t.join();
    }
    /// Blocks until file `i` is completely run.
    void wait_for(size_t i) {
        std::unique_lock lock(mutex_);
        done_cv_.wait(lock, [&] { return slots_[i].done; });
    }

private:
    void work() {
        std::unique_lock lock(mutex_);
        for (;;) {
            if (!queue_.empty()) {
                const auto [f, i] = queue_.front();
                queue_.pop_front();
                lock.unlock();
                run_item(slots_[f], slots_[f].items[i]);
                lock.lock();
                if (--slots_[f].remaining == 0) finish(f);
            } else if (next_file_ < slots_.size() && loaded_ < max_loaded_) {
                const size_t f = next_file_++;
                ++loaded_;
                lock.unlock();
                load(slots_[f]);
                lock.lock();
                slots_[f].remaining = slots_[f].items.size();
                for (size_t i = 0; i < slots_[f].items.size(); ++i) queue_.emplace_back(f, i);
                if (slots_[f].remaining == 0) finish(f);
                work_cv_.notify_all();
            } else if (next_file_ >= slots_.size()) {
                return;  // nothing left to start; other workers finish what they hold
            } else {
                work_cv_.wait(lock);
            }
        }
    }

    void finish(size_t f) {
        slots_[f].done = true;
        --loaded_;
        done_cv_.notify_all();
        work_cv_.notify_all();
    }

    void load(FileSlot& slot) {
        try {
            // Errors name the file as the user can find it (PATH argument + relative path).
            slot.tests = load_state_test_file(slot.file.path, slot.file.path.string());
        } catch (const std::exception& e) {
            slot.error = e.what();
            return;
        }
        for (size_t t = 0; t < slot.tests.size(); ++t) {
            if (filter_ && !std::regex_search(slot.file.relative + "/" + slot.tests[t].name, *filter_)) continue;
            for (size_t c = 0; c < slot.tests[t].cases.size(); ++c) {
                if (options_.fork && slot.tests[t].cases[c].revision != *options_.fork) continue;
                slot.items.push_back({t, c, {}});
            }
        }
    }

    void run_item(const FileSlot& slot, CaseItem& item) {
        const StateTest& test = slot.tests[item.test];
        const StateTestCase& c = test.cases[item.index];
        if (!revision_implemented(c.revision)) {
            item.verdict = {CaseResult::Skip, "fork not implemented"};
            return;
        }
        try {
            item.verdict = runner_(test, c);
        } catch (const std::exception& e) {
            item.verdict = {CaseResult::Fail, std::string("exception: ") + e.what()};
        }
    }

    std::vector<FileSlot>& slots_;
    const StateTestOptions& options_;
    const std::optional<std::regex>& filter_;
    const CaseRunner& runner_;
    const size_t max_loaded_;

    std::mutex mutex_;
    std::condition_variable work_cv_, done_cv_;
    std::deque<std::pair<size_t, size_t>> queue_;
    size_t next_file_ = 0;
    size_t loaded_ = 0;
    std::vector<LargeStackThread> threads_;
};

/// Why the run covered too little to count, or nullopt. `selected` counts every case the paths,
/// filter and fork picked; `ran` those that were executed (not skipped).
std::optional<std::string> coverage_problem(const StateTestOptions& options, size_t selected, size_t ran) {
    if (options.fail_when_empty && selected == 0)
        return "no case selected (CI=true: an empty run is a failure; check the paths, --filter and --fork)";
    if (ran < options.min_cases)
        return std::to_string(ran) + " cases ran, fewer than --min-cases " + std::to_string(options.min_cases) +
               " (a fixture folder with missing files, or a --filter/--fork that selects too little?)";
    return std::nullopt;
}

}  // namespace

int run_state_tests(const StateTestOptions& options, const CaseRunner& runner, std::ostream& out, std::ostream& err) {
    std::vector<FixtureFile> files;
    KnownFailures known;
    std::optional<std::regex> filter;
    try {
        files = collect_fixture_files(options.paths);
        if (options.known_failures) known = load_known_failures(*options.known_failures);
    } catch (const FixtureError& e) {
        err << "error: " << e.what() << "\n";
        return kExitUsage;
    }
    if (!options.filter.empty()) {
        try {
            filter.emplace(options.filter, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            err << "error: --filter: invalid regular expression \"" << options.filter << "\": " << e.what() << "\n";
            return kExitUsage;
        }
    }

    std::vector<FileSlot> slots(files.size());
    for (size_t i = 0; i < files.size(); ++i) slots[i].file = files[i];

    Pool pool(slots, options, filter, runner);
    pool.start();

    size_t passed = 0, failed = 0, skipped = 0, known_failed = 0, file_errors = 0;
    std::map<std::string, size_t> skip_reasons;
    std::set<std::string> seen_known;
    for (size_t f = 0; f < slots.size(); ++f) {
        pool.wait_for(f);
        FileSlot& slot = slots[f];
        if (!slot.error.empty()) {
            err << "error: " << slot.error << "\n";
            ++file_errors;
            continue;
        }
        for (const CaseItem& item : slot.items) {
            const StateTest& test = slot.tests[item.test];
            const StateTestCase& c = test.cases[item.index];
            const std::string key =
                case_key(slot.file.relative, test.name, c.fork, c.indexes.data, c.indexes.gas, c.indexes.value);
            const bool listed = known.contains(key);
            if (listed) seen_known.insert(key);

            CaseResult shown = item.verdict.result;
            std::string reason = item.verdict.reason;
            std::string tag;
            switch (item.verdict.result) {
                case CaseResult::Pass:
                    if (listed) {
                        // A fixed case must leave the list, or a later regression would hide behind it.
                        shown = CaseResult::Fail;
                        reason = "passes but is listed as a known failure: remove it from the list";
                        tag = "FIXED";
                        ++failed;
                    } else {
                        ++passed;
                    }
                    break;
                case CaseResult::Fail:
                    if (listed) {
                        tag = "KNOWN";
                        ++known_failed;
                    } else {
                        tag = "FAIL";
                        ++failed;
                    }
                    break;
                case CaseResult::Skip:
                    ++skipped;
                    ++skip_reasons[reason.empty() ? "unspecified" : reason];
                    break;
            }

            if (options.json) {
                nlohmann::ordered_json j;
                j["file"] = slot.file.relative;
                j["test"] = test.name;
                j["fork"] = c.fork;
                j["indexes"] = {{"data", c.indexes.data}, {"gas", c.indexes.gas}, {"value", c.indexes.value}};
                j["result"] = result_name(shown);
                j["reason"] = reason;
                if (listed) j["known"] = true;
                out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
            } else if (tag == "FIXED") {
                out << "FIXED " << key << ": remove it from the list\n";
            } else if (!tag.empty()) {
                out << tag << " " << key << ": " << reason << "\n";
            }
        }
        // Reported: free the parsed file before the pool loads more.
        slot.tests = {};
        slot.items = {};
    }
    pool.join();

    if (options.known_failures) {
        out << known_failed << " known failures (listed in " << options.known_failures->string() << ")\n";
        // Entries that name no case are stale (renamed or removed tests); only a full run can tell.
        if (!filter && !options.fork && seen_known.size() < known.entries.size()) {
            err << "warning: " << known.entries.size() - seen_known.size()
                << " known-failure entries matched no case, e.g.:\n";
            size_t shown = 0;
            for (const auto& [key, why] : known.entries)
                if (!seen_known.count(key) && shown++ < 5) err << "  " << key << "\n";
        }
    }
    if (skipped > 0) {
        out << skipped << " skipped:";
        bool first = true;
        for (const auto& [why, n] : skip_reasons) {
            out << (first ? " " : ", ") << why << " (" << n << ")";
            first = false;
        }
        out << "\n";
    }
    if (file_errors > 0) out << file_errors << " file(s) could not be loaded (see the errors on stderr)\n";
    out << passed << " passed, " << failed << " failed, " << skipped << " skipped" << std::endl;

    if (file_errors > 0) return kExitUsage;
    const size_t ran = passed + failed + known_failed;
    if (auto problem = coverage_problem(options, ran + skipped, ran)) {
        err << "error: " << *problem << "\n";
        return kExitFailed;
    }
    return failed > 0 ? kExitFailed : kExitOk;
}

}  // namespace polyvm::tools
