// Runs a fuzz target over files and folders of inputs (its committed corpus) without libFuzzer:
// the targets' regression tests in every build, sanitizer builds included.
#include "fuzz_target.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

namespace {
/// The input being replayed, named when a broken invariant (or a sanitizer) aborts.
std::string current_input;
extern "C" void name_the_input(int) {
    const char prefix[] = "fuzz replay: the input was ";
    (void)!write(2, prefix, sizeof prefix - 1);
    (void)!write(2, current_input.data(), current_input.size());
    (void)!write(2, "\n", 1);
    std::signal(SIGABRT, SIG_DFL);
    std::raise(SIGABRT);
}
}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGABRT, name_the_input);
    std::vector<std::filesystem::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path path(argv[i]);
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            for (const auto& entry : std::filesystem::recursive_directory_iterator(path))
                if (entry.is_regular_file()) inputs.push_back(entry.path());
        } else if (std::filesystem::is_regular_file(path, ec)) {
            inputs.push_back(path);
        } else {
            std::cerr << "error: no such file or folder: " << path << "\n";
            return 2;
        }
    }
    std::sort(inputs.begin(), inputs.end());
    if (inputs.empty()) {
        std::cerr << "error: no inputs (a target's corpus must not be empty)\n";
        return 2;
    }
    for (const auto& path : inputs) {
        current_input = path.string();
        std::ifstream in(path, std::ios::binary);
        const std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    }
    std::cout << inputs.size() << " inputs replayed\n";
    return 0;
}
