#include "rpc/json_parse.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace polyvm::rpc {

namespace {

using json = nlohmann::json;

/// Reads the common subset of JSON; `ok()` turns false at anything outside it (the caller then
/// hands the whole text to nlohmann, which accepts or rejects it with its own message).
class FastParser {
public:
    explicit FastParser(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

    std::optional<json> document() {
        json value;
        if (!parse_value(value, 0)) return std::nullopt;
        skip_space();
        if (p_ != end_) return std::nullopt;  // trailing bytes: nlohmann words the error
        return value;
    }

    std::optional<RequestMembers> request_members() {
        skip_space();
        if (p_ == end_ || *p_ != '{') return std::nullopt;
        ++p_;
        RequestMembers members;
        bool have_version = false, have_method = false, have_params = false;
        for (;;) {
            skip_space();
            std::string_view key;
            if (p_ == end_ || *p_ != '"' || !scan_string(key)) return std::nullopt;
            skip_space();
            if (p_ == end_ || *p_ != ':') return std::nullopt;
            ++p_;
            skip_space();
            if (p_ == end_) return std::nullopt;
            // Each member once: a repeated one (the last wins in nlohmann) goes the general way.
            if (key == "jsonrpc") {
                std::string_view version;
                if (have_version || *p_ != '"' || !scan_string(version) || version != "2.0") return std::nullopt;
                have_version = true;
            } else if (key == "method") {
                if (have_method || *p_ != '"' || !scan_string(members.method)) return std::nullopt;
                have_method = true;
            } else if (key == "id") {
                json id;
                if (members.id || !parse_value(id, 1) || !(id.is_string() || id.is_number() || id.is_null()))
                    return std::nullopt;
                members.id = std::move(id);
            } else if (key == "params") {
                json params;
                if (have_params || !parse_value(params, 1) || !(params.is_array() || params.is_object() || params.is_null()))
                    return std::nullopt;
                have_params = true;
                if (!params.is_null()) members.params = std::move(params);
            } else {
                return std::nullopt;
            }
            skip_space();
            if (p_ == end_) return std::nullopt;
            if (*p_ == ',') {
                ++p_;
                continue;
            }
            if (*p_ != '}') return std::nullopt;
            ++p_;
            break;
        }
        skip_space();
        if (p_ != end_ || !have_version || !have_method) return std::nullopt;
        return members;
    }

private:
    // nlohmann has no depth limit of its own; deep documents go to it (recursion there, not here).
    static constexpr int kMaxDepth = 64;

    void skip_space() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }

    bool literal(std::string_view word) {
        if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
        p_ += word.size();
        return true;
    }

    bool parse_value(json& out, int depth) {
        skip_space();
        if (p_ == end_) return false;
        switch (*p_) {
        case '{':
            return depth < kMaxDepth && parse_object(out, depth + 1);
        case '[':
            return depth < kMaxDepth && parse_array(out, depth + 1);
        case '"': {
            std::string s;
            if (!parse_string(s)) return false;
            out = std::move(s);
            return true;
        }
        case 't':
            if (!literal("true")) return false;
            out = true;
            return true;
        case 'f':
            if (!literal("false")) return false;
            out = false;
            return true;
        case 'n':
            if (!literal("null")) return false;
            out = nullptr;
            return true;
        default:
            return parse_integer(out);
        }
    }

    bool parse_object(json& out, int depth) {
        ++p_;  // '{'
        out = json::object();
        skip_space();
        if (p_ != end_ && *p_ == '}') {
            ++p_;
            return true;
        }
        for (;;) {
            skip_space();
            if (p_ == end_ || *p_ != '"') return false;
            std::string key;
            if (!parse_string(key)) return false;
            skip_space();
            if (p_ == end_ || *p_ != ':') return false;
            ++p_;
            json value;
            if (!parse_value(value, depth)) return false;
            out[std::move(key)] = std::move(value);  // a repeated key: the last wins, as in nlohmann
            skip_space();
            if (p_ == end_) return false;
            if (*p_ == ',') {
                ++p_;
                continue;
            }
            if (*p_ != '}') return false;
            ++p_;
            return true;
        }
    }

    bool parse_array(json& out, int depth) {
        ++p_;  // '['
        out = json::array();
        skip_space();
        if (p_ != end_ && *p_ == ']') {
            ++p_;
            return true;
        }
        for (;;) {
            json value;
            if (!parse_value(value, depth)) return false;
            out.push_back(std::move(value));
            skip_space();
            if (p_ == end_) return false;
            if (*p_ == ',') {
                ++p_;
                continue;
            }
            if (*p_ != ']') return false;
            ++p_;
            return true;
        }
    }

    bool parse_string(std::string& out) {
        std::string_view text;
        if (!scan_string(text)) return false;
        out.assign(text);
        return true;
    }

    /// Printable ASCII without escapes only (control characters are errors, escapes and other
    /// bytes are nlohmann's to decode and validate); `out` views the text between the quotes.
    bool scan_string(std::string_view& out) {
        ++p_;  // '"'
        const char* start = p_;
        while (p_ != end_) {
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                out = std::string_view(start, static_cast<size_t>(p_ - start));
                ++p_;
                return true;
            }
            if (c < 0x20 || c == '\\' || c >= 0x80) return false;
            ++p_;
        }
        return false;
    }

    /// An integer as nlohmann stores it: unsigned without a sign, signed with one; a fraction,
    /// an exponent, a leading zero or a value beyond 64 bits goes to nlohmann.
    bool parse_integer(json& out) {
        const bool negative = *p_ == '-';
        if (negative) ++p_;
        if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
        if (*p_ == '0' && p_ + 1 != end_ && p_[1] >= '0' && p_[1] <= '9') return false;
        uint64_t value = 0;
        int digits = 0;
        while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
            if (++digits > 19) return false;  // may not fit: nlohmann decides
            value = value * 10 + static_cast<uint64_t>(*p_ - '0');
            ++p_;
        }
        if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
        if (negative) {
            if (value > static_cast<uint64_t>(INT64_MAX)) return false;
            out = -static_cast<int64_t>(value);
        } else {
            out = value;
        }
        return true;
    }

    const char* p_;
    const char* end_;
};

}  // namespace

std::optional<RequestMembers> read_request_members(std::string_view text) {
    return FastParser(text).request_members();
}

json parse_json(std::string_view text) {
    if (auto fast = FastParser(text).document()) return std::move(*fast);
    return json::parse(text);
}

}  // namespace polyvm::rpc
