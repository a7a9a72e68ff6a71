#include "rpc/http_head.hpp"

#include <array>
#include <algorithm>
#include <cstdint>
#include <cstring>

namespace polyvm::rpc {
namespace {

// RFC 9110 section 5.6.2: the characters of a token (header names, Connection options).
constexpr std::array<bool, 256> kTokenChars = [] {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[c] = table[c - 'a' + 'A'] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
    return table;
}();

bool is_token_char(char c) { return kTokenChars[static_cast<unsigned char>(c)]; }

// What a field value may hold here: visible ASCII, space and tab (RFC 9110 section 5.5 also
// allows obs-text, bytes >= 0x80; those heads go to Beast).
constexpr std::array<bool, 256> kValueChars = [] {
    std::array<bool, 256> table{};
    for (int c = 0x20; c < 0x7f; ++c) table[c] = true;
    table['\t'] = true;
    return table;
}();

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_lowercase(std::string_view text, std::string_view lowercase) {
    if (text.size() != lowercase.size()) return false;
    for (size_t i = 0; i < text.size(); ++i)
        if (lower(text[i]) != lowercase[i]) return false;
    return true;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

}  // namespace

HeadStatus read_post_head(std::string_view buffered, PostHead& head) {
    // One pass, line by line; the head ends at the first empty line.
    const char* p = buffered.data();
    const char* const end = p + std::min(buffered.size(), kMaxPostHead);
    // Reads the line at p (without its CRLF) into `line`; false when its end is not buffered yet.
    auto next_line = [&](std::string_view& line) {
        if (p == end) return false;  // also keeps a null data() (nothing buffered) away from memchr
        const auto* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
        if (!lf) return false;
        line = std::string_view(p, static_cast<size_t>(lf - p));
        p = lf + 1;
        return true;
    };
    auto incomplete = [&] {
        // Wait for the rest only while the head may still be a common one.
        if (buffered.size() >= kMaxPostHead || (buffered.size() >= 5 && !buffered.starts_with("POST "))) return HeadStatus::Unusual;
        return HeadStatus::Incomplete;
    };

    // Request line: POST SP request-target SP HTTP/1.x
    std::string_view line;
    if (!next_line(line)) return incomplete();
    if (!line.ends_with('\r') || !line.starts_with("POST ")) return HeadStatus::Unusual;
    line.remove_suffix(1);
    line.remove_prefix(5);
    const size_t target_end = line.find(' ');
    if (target_end == 0 || target_end == std::string_view::npos) return HeadStatus::Unusual;
    for (const char c : line.substr(0, target_end))
        if (c <= 0x20 || c >= 0x7f) return HeadStatus::Unusual;
    const std::string_view version = line.substr(target_end + 1);
    if (version == "HTTP/1.1")
        head.http_10 = false;
    else if (version == "HTTP/1.0")
        head.http_10 = true;
    else
        return HeadStatus::Unusual;

    bool have_length = false, close = false, keep_alive = false;
    uint64_t length = 0;
    for (;;) {
        if (!next_line(line)) return incomplete();
        if (!line.ends_with('\r')) return HeadStatus::Unusual;  // a bare LF: Beast's call
        line.remove_suffix(1);
        if (line.empty()) break;  // the end of the head
        size_t colon = 0;
        while (colon < line.size() && is_token_char(line[colon])) ++colon;
        if (colon == 0 || colon == line.size() || line[colon] != ':') return HeadStatus::Unusual;
        const std::string_view name = line.substr(0, colon);
        for (const char c : line.substr(colon + 1))
            if (!kValueChars[static_cast<unsigned char>(c)]) return HeadStatus::Unusual;  // obs-text etc.: Beast's call
        // The names read here, told apart by length first.
        switch (name.size()) {
            case 14:
                if (equals_lowercase(name, "content-length")) {
                    const std::string_view value = trim(line.substr(colon + 1));
                    if (have_length || value.empty() || value.size() > 15) return HeadStatus::Unusual;
                    for (const char c : value) {
                        if (c < '0' || c > '9') return HeadStatus::Unusual;
                        length = length * 10 + static_cast<uint64_t>(c - '0');
                    }
                    have_length = true;
                }
                break;
            case 10:
                if (equals_lowercase(name, "connection")) {
                    // A list of options: only close and keep-alive are read here (upgrade is Beast's).
                    std::string_view options = trim(line.substr(colon + 1));
                    while (!options.empty()) {
                        const size_t comma = options.find(',');
                        const std::string_view option = trim(options.substr(0, comma));
                        options.remove_prefix(comma == std::string_view::npos ? options.size() : comma + 1);
                        if (equals_lowercase(option, "close"))
                            close = true;
                        else if (equals_lowercase(option, "keep-alive"))
                            keep_alive = true;
                        else if (!option.empty())
                            return HeadStatus::Unusual;
                    }
                }
                break;
            case 17:
            case 7:
            case 6:
                if (equals_lowercase(name, "transfer-encoding") || equals_lowercase(name, "upgrade") ||
                    equals_lowercase(name, "expect"))
                    return HeadStatus::Unusual;
                break;
            default:
                break;
        }
    }
    if (!have_length || (close && keep_alive)) return HeadStatus::Unusual;
    head.head_size = static_cast<size_t>(p - buffered.data());
    head.content_length = static_cast<size_t>(length);
    head.keep_alive = head.http_10 ? keep_alive : !close;
    return HeadStatus::Complete;
}

}  // namespace polyvm::rpc
