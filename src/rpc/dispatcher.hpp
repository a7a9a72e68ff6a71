// JSON-RPC 2.0 (https://www.jsonrpc.org/specification) over a table of named methods: parses one
// HTTP body or WebSocket message (a request or a batch) and returns the response text.
#pragma once

#include "rpc/connection.hpp"
#include "rpc/error.hpp"

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace polyvm::rpc {

struct RequestMembers;  // rpc/json_parse.hpp

class Dispatcher {
public:
    /// params: the request's array or object; an absent or null "params" arrives as an empty array.
    using Method = std::function<json(const json& params, const CallContext&)>;

    /// How a deferred method answers, exactly once, from any thread: a result, or the exception
    /// it failed with (RpcError for a JSON-RPC error; anything else is an internal error).
    using Answer = std::function<void(std::exception_ptr error, json result)>;
    /// A method that may answer after it returns (e.g. once a transaction is mined), so that the
    /// I/O thread serves other connections meanwhile.
    using DeferredMethod = std::function<void(const json& params, const CallContext&, Answer answer)>;

    /// Registers (or replaces) a method. Register everything before serving: lookups take no lock.
    void add(std::string name, Method method);
    void add_deferred(std::string name, DeferredMethod method);
    bool has(std::string_view name) const;

    /// One request or batch -> response text; "" when nothing is to be answered (notifications).
    /// Never throws: every failure becomes a JSON-RPC error object. Deferred methods are waited for.
    std::string handle(std::string_view body, const CallContext& context) const;
    /// The same, with the response given to `reply` (exactly once, "" for nothing to answer):
    /// a single request to a deferred method is answered when the method answers, from the
    /// thread that answers; anything else before this returns.
    void handle_async(std::string_view body, const CallContext& context, std::function<void(std::string)> reply) const;

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
    /// A method is either plain or deferred.
    struct Entry {
        Method plain;
        DeferredMethod deferred;
    };
    std::unordered_map<std::string, Entry, NameHash, std::equal_to<>> methods_;

    /// A request that passed the envelope checks.
    struct Call {
        const json* id;
        bool is_notification;
        const std::string* name;
        const json* params;
        const Entry* method;  // null: unknown
    };
    /// Checks one request object's envelope; appends the error and returns nullopt when it fails.
    std::optional<Call> prepare(const json& request, std::string& out) const;
    /// Logs a finished call and appends its response (nothing for a notification).
    void finish(const Call& call, std::exception_ptr error, const json& result, std::string& out) const;
    /// Calls a checked request (a deferred method is waited for) and appends its response.
    void run(const Call& call, const CallContext& context, std::string& out) const;
    /// The call of a request read by read_request_members (pointing into `members`).
    static Call direct_call(const RequestMembers& members, const std::string& name, const Entry& method);
    /// Runs a deferred method's call; `request` keeps what the call points into alive until the
    /// method answers.
    void start_deferred(const Call& call, std::shared_ptr<const void> request, const CallContext& context,
                        std::function<void(std::string)> reply) const;
    /// handle_async for a body that read_request_members reads and whose method is known (most
    /// requests): no request object is built. False, with reply untouched, for anything else.
    bool handle_direct(std::string_view body, const CallContext& context, std::function<void(std::string)>& reply) const;
    /// Appends the response to one request object to out; appends nothing for a notification.
    void handle_one(const json& request, const CallContext& context, std::string& out) const;
};

}  // namespace polyvm::rpc
