// JSON-RPC 2.0 (https://www.jsonrpc.org/specification) over a table of named methods: parses one
// HTTP body or WebSocket message (a request or a batch) and returns the response text.
#pragma once

#include "rpc/connection.hpp"
#include "rpc/error.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace polyvm::rpc {

class Dispatcher {
public:
    /// params: the request's array or object; an absent or null "params" arrives as an empty array.
    using Method = std::function<json(const json& params, const CallContext&)>;

    /// Registers (or replaces) a method. Register everything before serving: lookups take no lock.
    void add(std::string name, Method method);
    bool has(std::string_view name) const;

    /// One request or batch -> response text; "" when nothing is to be answered (notifications).
    /// Never throws: every failure becomes a JSON-RPC error object.
    std::string handle(std::string_view body, const CallContext& context) const;

    struct Limits {
        size_t max_batch = 1000;
    } limits;

    /// Optional hook for a request log, called after each call; error is null on success.
    std::function<void(std::string_view method, const json& params, const json* error)> on_call;

private:
    struct NameHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, Method, NameHash, std::equal_to<>> methods_;

    /// Appends the response to one request object to out; appends nothing for a notification.
    void handle_one(const json& request, const CallContext& context, std::string& out) const;
};

}  // namespace polyvm::rpc
