// Parsing JSON-RPC bodies. nlohmann::json::parse reads character by character through a
// general lexer: about 8,600 instructions for `{"jsonrpc":"2.0","id":1,"method":
// "eth_blockNumber","params":[]}` and more than half of an eth_call's JSON work on its hex
// strings. parse_json takes a direct path for the documents requests are made of (ASCII
// strings without escapes, integers that fit in 64 bits) and builds the same nlohmann::json
// values; anything else (escapes, non-ASCII text, fractions and exponents, larger integers,
// deep nesting, any syntax error) is left to nlohmann::json::parse, so values, errors and
// their messages are exactly nlohmann's.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

namespace polyvm::rpc {

/// The JSON value of `text`; throws what nlohmann::json::parse throws (parse_error, or
/// out_of_range for a number beyond a double).
nlohmann::json parse_json(std::string_view text);

/// The members of a body that is one JSON-RPC request, read without building the request
/// object (a std::map of four members, most of the cost of parsing a small request).
struct RequestMembers {
    std::string_view method;               // views the text
    std::optional<nlohmann::json> id;      // absent: a notification
    std::optional<nlohmann::json> params;  // absent or null
};

/// The members of `text` when it is one object holding "jsonrpc": "2.0", a "method" string and
/// optionally "id" (a string, a number or null) and "params" (an array, an object or null),
/// each once and nothing else, all within parse_json's direct path; otherwise nullopt, and the
/// caller parses and checks the text the general way (which words every error).
std::optional<RequestMembers> read_request_members(std::string_view text);

}  // namespace polyvm::rpc
