#include "tools/known_failures.hpp"

#include <fstream>
#include <sstream>
#include <vector>

namespace polyvm::tools {
namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

/// Reads "<prefix>=<decimal>" into `out`.
bool read_index(const std::string& word, char prefix, size_t& out) {
    if (word.size() < 3 || word[0] != prefix || word[1] != '=') return false;
    size_t v = 0;
    for (size_t i = 2; i < word.size(); ++i) {
        const char c = word[i];
        if (c < '0' || c > '9') return false;
        if (v > (SIZE_MAX - 9) / 10) return false;
        v = v * 10 + static_cast<size_t>(c - '0');
    }
    out = v;
    return true;
}

}  // namespace

std::string case_key(const std::string& file, const std::string& test, const std::string& fork, size_t d, size_t g,
                     size_t v) {
    return file + " " + test + " " + fork + " d=" + std::to_string(d) + " g=" + std::to_string(g) +
           " v=" + std::to_string(v);
}

KnownFailures parse_known_failures(std::istream& in, const std::string& label) {
    KnownFailures list;
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        const std::string where = label + ":" + std::to_string(line_no) + ": ";
        std::string body = line, reason;
        // '#' starts the reason; file and test names in the fixtures never contain it.
        if (const auto hash = line.find('#'); hash != std::string::npos) {
            body = line.substr(0, hash);
            reason = trim(line.substr(hash + 1));
        }
        body = trim(body);
        if (body.empty()) continue;  // blank or comment-only line

        std::istringstream words(body);
        std::vector<std::string> w;
        for (std::string word; words >> word;) w.push_back(word);
        if (w.size() != 6)
            throw FixtureError(where + "expected \"<file> <test> <fork> d=<i> g=<j> v=<k>\", got " +
                               std::to_string(w.size()) + " fields");
        size_t d = 0, g = 0, v = 0;
        if (!read_index(w[3], 'd', d)) throw FixtureError(where + "expected d=<index>, got \"" + w[3] + "\"");
        if (!read_index(w[4], 'g', g)) throw FixtureError(where + "expected g=<index>, got \"" + w[4] + "\"");
        if (!read_index(w[5], 'v', v)) throw FixtureError(where + "expected v=<index>, got \"" + w[5] + "\"");
        const std::string key = case_key(w[0], w[1], w[2], d, g, v);
        // A duplicate is harmless to the verdicts but means the list was edited carelessly.
        if (!list.entries.emplace(key, reason).second) throw FixtureError(where + "duplicate entry " + key);
    }
    if (in.bad()) throw FixtureError(label + ": read error");
    return list;
}

KnownFailures load_known_failures(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw FixtureError(path.string() + ": cannot open the known-failures list");
    return parse_known_failures(in, path.string());
}

}  // namespace polyvm::tools
