#include "rpc/dispatcher.hpp"

#include "rpc/json_parse.hpp"
#include "rpc/params.hpp"

#include <atomic>
#include <charconv>
#include <future>
#include <memory>
#include <tuple>

namespace polyvm::rpc {
namespace {

// Whether nlohmann would write the string between quotes unchanged.
bool is_plain_string(const std::string& text) {
    for (const char c : text)
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
    return true;
}

// Strings from clients or method results may hold invalid UTF-8: replace it rather than throw.
// Results are mostly hex strings and ids small numbers: those are written directly, the same
// text as dump() without its serializer's setup and per-character escaping.
void append_json(std::string& out, const json& value) {
    char digits[24];
    switch (value.type()) {
        case json::value_t::string:
            if (const auto& text = value.get_ref<const std::string&>(); is_plain_string(text)) {
                out += '"';
                out += text;
                out += '"';
                return;
            }
            break;
        case json::value_t::number_unsigned:
            out.append(digits, std::to_chars(digits, digits + sizeof digits, value.get<uint64_t>()).ptr);
            return;
        case json::value_t::number_integer:
            out.append(digits, std::to_chars(digits, digits + sizeof digits, value.get<int64_t>()).ptr);
            return;
        default:
            break;
    }
    out += value.dump(-1, ' ', false, json::error_handler_t::replace);
}

void append_error(std::string& out, const json& id, int code, std::string_view message, const json& data) {
    out += R"({"jsonrpc":"2.0","id":)";
    append_json(out, id);
    out += R"(,"error":{"code":)";
    out += std::to_string(code);
    out += R"(,"message":)";
    append_json(out, json(message));
    if (!data.is_null()) {
        out += R"(,"data":)";
        append_json(out, data);
    }
    out += "}}";
}

json error_object(int code, std::string_view message, const json& data) {
    json error{{"code", code}, {"message", message}};
    if (!data.is_null()) error["data"] = data;
    return error;
}

// nlohmann's messages start with "[json.exception.parse_error.101] ": keep the readable part.
std::string parse_error_message(const std::exception& e) {
    std::string_view what = e.what();
    if (const auto end = what.find("] "); what.starts_with("[json.exception") && end != std::string_view::npos)
        what.remove_prefix(end + 2);
    return std::string(what);
}

const json kNullId = nullptr;
const json kEmptyParams = json::array();

}  // namespace

void Dispatcher::add(std::string name, Method method) {
    methods_.insert_or_assign(std::move(name), Entry{std::move(method), {}});
}

void Dispatcher::add_deferred(std::string name, DeferredMethod method) {
    methods_.insert_or_assign(std::move(name), Entry{{}, std::move(method)});
}

bool Dispatcher::has(std::string_view name) const { return methods_.find(name) != methods_.end(); }

std::optional<Dispatcher::Call> Dispatcher::prepare(const json& request, std::string& out) const {
    if (!request.is_object()) {
        append_error(out, kNullId, kInvalidRequest, "invalid request: not a JSON object", nullptr);
        return std::nullopt;
    }
    const auto id_it = request.find("id");
    const bool is_notification = id_it == request.end();
    if (!is_notification && !(id_it->is_string() || id_it->is_number() || id_it->is_null())) {
        append_error(out, kNullId, kInvalidRequest, R"(invalid request: "id" must be a string, a number or null)", nullptr);
        return std::nullopt;
    }
    const json& id = is_notification ? kNullId : *id_it;
    const auto version = request.find("jsonrpc");
    if (version == request.end() || !version->is_string() || version->get_ref<const std::string&>() != "2.0") {
        append_error(out, id, kInvalidRequest, R"(invalid request: "jsonrpc" must be "2.0")", nullptr);
        return std::nullopt;
    }
    const auto method_it = request.find("method");
    if (method_it == request.end() || !method_it->is_string()) {
        append_error(out, id, kInvalidRequest, R"(invalid request: "method" must be a string)", nullptr);
        return std::nullopt;
    }
    const auto params_it = request.find("params");
    const bool no_params = params_it == request.end() || params_it->is_null();
    if (!no_params && !params_it->is_array() && !params_it->is_object()) {
        append_error(out, id, kInvalidRequest, R"(invalid request: "params" must be an array or an object)", nullptr);
        return std::nullopt;
    }
    const std::string& name = method_it->get_ref<const std::string&>();
    const auto method = methods_.find(std::string_view(name));
    return Call{&id, is_notification, &name, no_params ? &kEmptyParams : &*params_it,
                method == methods_.end() ? nullptr : &method->second};
}

void Dispatcher::finish(const Call& call, std::exception_ptr error, const json& result, std::string& out) const {
    // A failed call records its error here; the response and the log hook both read it.
    int code = 0;
    std::string message;
    json data;
    if (!call.method) {
        code = kMethodNotFound;
        message = "the method " + *call.name + " does not exist/is not available";
    } else if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const RpcError& e) {
            code = e.code;
            message = e.what();
            data = e.data;
        } catch (const DecodeError& e) {
            // A nested field a method decoded itself (evm_mine's {"timestamp": ...}): the
            // caller's input was wrong, as with the param_* decoders, not the node.
            code = kInvalidParams;
            message = std::string("invalid argument: ") + e.what();
        } catch (const std::exception& e) {
            code = kInternalError;
            message = e.what();
        } catch (...) {
            code = kInternalError;
            message = "internal error";
        }
    }
    if (on_call) {
        try {
            if (code == 0) {
                on_call(*call.name, *call.params, nullptr);
            } else {
                const json error_json = error_object(code, message, data);
                on_call(*call.name, *call.params, &error_json);
            }
        } catch (...) {
            // A failing log hook must not change the answer.
        }
    }
    if (call.is_notification) return;
    if (code != 0) {
        append_error(out, *call.id, code, message, data);
        return;
    }
    out += R"({"jsonrpc":"2.0","id":)";
    append_json(out, *call.id);
    out += R"(,"result":)";
    append_json(out, result);
    out += '}';
}

void Dispatcher::handle_one(const json& request, const CallContext& context, std::string& out) const {
    if (const auto call = prepare(request, out)) run(*call, context, out);
}

void Dispatcher::run(const Call& call, const CallContext& context, std::string& out) const {
    std::exception_ptr error;
    json result;
    if (call.method) {
        try {
            if (call.method->plain) {
                result = call.method->plain(*call.params, context);
            } else {
                // Waited for here (batches, WebSocket messages, in-process calls).
                std::promise<std::pair<std::exception_ptr, json>> answered;
                auto answer = answered.get_future();
                call.method->deferred(*call.params, context, [&answered](std::exception_ptr e, json r) {
                    answered.set_value({std::move(e), std::move(r)});
                });
                std::tie(error, result) = answer.get();
            }
        } catch (...) {
            error = std::current_exception();
        }
    }
    finish(call, error, result, out);
}

Dispatcher::Call Dispatcher::direct_call(const RequestMembers& members, const std::string& name, const Entry& method) {
    return Call{members.id ? &*members.id : &kNullId, !members.id, &name,
                members.params ? &*members.params : &kEmptyParams, &method};
}

bool Dispatcher::handle_direct(std::string_view body, const CallContext& context, std::function<void(std::string)>& reply) const {
    auto members = read_request_members(body);
    if (!members) return false;
    const auto method = methods_.find(members->method);
    if (method == methods_.end()) return false;  // the general path words the error
    if (!method->second.deferred) {
        std::string out;
        out.reserve(128);
        run(direct_call(*members, method->first, method->second), context, out);
        reply(std::move(out));
        return true;
    }
    auto kept = std::make_shared<RequestMembers>(std::move(*members));
    const Call call = direct_call(*kept, method->first, method->second);
    start_deferred(call, std::move(kept), context, std::move(reply));
    return true;
}

void Dispatcher::start_deferred(const Call& call, std::shared_ptr<const void> request, const CallContext& context,
                                std::function<void(std::string)> reply) const {
    auto once = std::make_shared<std::atomic<bool>>(false);
    auto answer = [this, request = std::move(request), call, reply = std::move(reply), once](std::exception_ptr error, json result) {
        if (once->exchange(true)) return;
        std::string response;
        finish(call, error, result, response);
        reply(std::move(response));
    };
    try {
        call.method->deferred(*call.params, context, answer);
    } catch (...) {
        answer(std::current_exception(), {});
    }
}

void Dispatcher::handle_async(std::string_view body, const CallContext& context, std::function<void(std::string)> reply) const {
    if (handle_direct(body, context, reply)) return;
    // Only a single request to a deferred method is answered later; its request stays alive
    // (with the strings the Call points into) until then.
    auto request = std::make_shared<json>();
    try {
        *request = parse_json(body);
    } catch (const std::exception&) {
        reply(handle(body, context));  // the parse error, worded in one place
        return;
    }
    std::string out;
    if (request->is_array()) {
        reply(handle(body, context));  // batches parse again: rare next to single requests
        return;
    }
    const auto call = prepare(*request, out);
    if (!call || !call->method || !call->method->deferred) {
        if (call) run(*call, context, out);
        reply(std::move(out));
        return;
    }
    start_deferred(*call, std::move(request), context, std::move(reply));
}

std::string Dispatcher::handle(std::string_view body, const CallContext& context) const {
    std::string out;
    if (auto members = read_request_members(body)) {
        if (const auto method = methods_.find(members->method); method != methods_.end()) {
            out.reserve(128);
            run(direct_call(*members, method->first, method->second), context, out);
            return out;
        }
    }
    json parsed;
    try {
        parsed = parse_json(body);
    } catch (const std::exception& e) {
        append_error(out, kNullId, kParseError, "parse error: " + parse_error_message(e), nullptr);
        return out;
    }
    if (!parsed.is_array()) {
        out.reserve(128);
        handle_one(parsed, context, out);
        return out;
    }
    if (parsed.empty()) {
        append_error(out, kNullId, kInvalidRequest, "empty batch", nullptr);
        return out;
    }
    if (parsed.size() > limits.max_batch) {
        append_error(out, kNullId, kInvalidRequest,
                     "batch too large (" + std::to_string(parsed.size()) + " requests, limit " +
                         std::to_string(limits.max_batch) + ")",
                     nullptr);
        return out;
    }
    out += '[';
    for (const json& request : parsed) {
        const size_t before = out.size();
        if (before > 1) out += ',';
        const size_t start = out.size();
        handle_one(request, context, out);
        if (out.size() == start) out.resize(before);  // a notification: no entry, no comma
    }
    if (out.size() == 1) return {};  // only notifications
    out += ']';
    return out;
}

}  // namespace polyvm::rpc
