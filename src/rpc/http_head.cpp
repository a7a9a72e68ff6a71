#include "rpc/http_head.hpp"

#include <array>
#include <cstdint>

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
    const size_t end = buffered.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        // Wait for the rest only while the head may still be a common one.
        if (buffered.size() > kMaxPostHead || (buffered.size() >= 5 && !buffered.starts_with("POST "))) return HeadStatus::Unusual;
        return HeadStatus::Incomplete;
    }
    if (end + 4 > kMaxPostHead) return HeadStatus::Unusual;
    std::string_view rest = buffered.substr(0, end + 2);  // each line with its CRLF

    // Request line: POST SP request-target SP HTTP/1.x
    const size_t line_end = rest.find("\r\n");
    std::string_view line = rest.substr(0, line_end);
    rest.remove_prefix(line_end + 2);
    if (!line.starts_with("POST ")) return HeadStatus::Unusual;
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
    while (!rest.empty()) {
        const size_t next = rest.find("\r\n");
        const std::string_view field = rest.substr(0, next);
        rest.remove_prefix(next + 2);
        const size_t colon = field.find(':');
        if (colon == 0 || colon == std::string_view::npos) return HeadStatus::Unusual;
        const std::string_view name = field.substr(0, colon);
        for (const char c : name)
            if (!is_token_char(c)) return HeadStatus::Unusual;
        const std::string_view value = trim(field.substr(colon + 1));
        for (const char c : value)
            if ((c < 0x20 && c != '\t') || c >= 0x7f) return HeadStatus::Unusual;  // obs-text etc.: Beast's call
        if (equals_lowercase(name, "content-length")) {
            if (have_length || value.empty() || value.size() > 15) return HeadStatus::Unusual;
            for (const char c : value) {
                if (c < '0' || c > '9') return HeadStatus::Unusual;
                length = length * 10 + static_cast<uint64_t>(c - '0');
            }
            have_length = true;
        } else if (equals_lowercase(name, "connection")) {
            // A list of options: only close and keep-alive are read here (upgrade is Beast's).
            std::string_view options = value;
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
        } else if (equals_lowercase(name, "transfer-encoding") || equals_lowercase(name, "upgrade") ||
                   equals_lowercase(name, "expect")) {
            return HeadStatus::Unusual;
        }
    }
    if (!have_length || (close && keep_alive)) return HeadStatus::Unusual;
    head.head_size = end + 4;
    head.content_length = static_cast<size_t>(length);
    head.keep_alive = head.http_10 ? keep_alive : !close;
    return HeadStatus::Complete;
}

}  // namespace polyvm::rpc
