// Tracing: debug_traceTransaction, debug_traceCall, debug_traceBlockByNumber/ByHash with geth's
// struct logger and built-in tracers (src/trace; flatCallTracer here, from callTracer's tree and
// the block's location), trace_transaction/trace_block/trace_filter in Parity's format. A mined transaction is traced by
// re-running its block up to it on the parent's state.
#include "common/hex.hpp"
#include "exec/transaction_execution.hpp"
#include "node/dev_node.hpp"
#include "node/mined_traces.hpp"
#include "node/rpc_format.hpp"
#include "node/simulation.hpp"
#include "precompiles/precompiles.hpp"
#include "trace/transaction_trace.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace polyvm::node {
namespace {
using rpc::RpcError;

struct FlattenOptions;
void flatten_call_frame(const json& frame, std::vector<size_t>& path, const json& location, json& out,
                        const FlattenOptions& options);

/// geth's flatCallTracer: callTracer's tree in Parity's flat form. Returns nullopt for other
/// tracers; throws std::invalid_argument for a bad tracerConfig.
struct FlatCall {
    bool convert_parity_errors = false;
    bool include_precompiles = false;
};
std::optional<FlatCall> flat_call_tracer(const json& options) {
    const auto name = options.find("tracer");
    if (name == options.end() || !name->is_string() || name->get<std::string>() != "flatCallTracer") return std::nullopt;
    FlatCall out;
    if (const auto config = options.find("tracerConfig"); config != options.end() && !config->is_null()) {
        if (!config->is_object()) throw std::invalid_argument("tracerConfig must be an object");
        for (const auto& [key, value] : config->items()) {
            if (key != "convertParityErrors" && key != "includePrecompiles") continue;
            if (!value.is_boolean()) throw std::invalid_argument("tracerConfig." + key + " must be a boolean");
            (key == "convertParityErrors" ? out.convert_parity_errors : out.include_precompiles) = value.get<bool>();
        }
    }
    return out;
}

json flat_call_result(const json& tree, const FlatCall& flat, Revision rev, const json& location);

json trace_one(DevChain& chain, const BlockView& block, size_t index, const json& options_value, bool all, json* results) {
    std::optional<FlatCall> flat;
    try {
        flat = flat_call_tracer(options_value);
    } catch (const std::invalid_argument& e) {
        throw RpcError(rpc::kInvalidParams, std::string("invalid argument 1: ") + e.what());
    }
    const json options = flat ? json{{"tracer", "callTracer"}} : options_value;
    const BlockHeader& h = block.block.header;
    if (h.number == 0) throw RpcError(rpc::kServerError, "genesis is not traceable");
    auto view = chain.state_before(block);
    State state(view.get());
    const BlockEnvironment env = block_environment(h, chain.config());
    const uint256& chain_id = chain.config().chain_id;
    ExecutionOptions execution;
    execution.wasm_contracts = chain.config().wasm_contracts;
    for (size_t i = 0; i < block.block.transactions.size(); ++i) {
        const Transaction& tx = block.block.transactions[i];
        execution.allow_sender_code = is_impersonated(tx);  // as the block was mined
        if (all || i == index) {
            try {
                json result = trace::trace_transaction(state, env.info, tx, env.revision, chain_id, options, execution);
                if (flat)
                    result = flat_call_result(result, *flat, env.revision,
                                              {{"blockHash", rpc::hex(block.hash)},
                                               {"blockNumber", h.number},
                                               {"transactionHash", rpc::hex(block.transaction_hashes[i])},
                                               {"transactionPosition", i}});
                if (!all) return result;
                results->push_back({{"txHash", rpc::hex(block.transaction_hashes[i])}, {"result", std::move(result)}});
            } catch (const std::invalid_argument& e) {
                throw RpcError(rpc::kInvalidParams, std::string("invalid argument 1: ") + e.what());
            }
        } else {
            execute_transaction(state, env.info, tx, env.revision, chain_id, execution);
        }
    }
    return nullptr;
}

/// Parity's flat traces (trace_transaction, trace_block) from callTracer's tree: one entry per
/// call frame in depth-first order, with its path of indices from the top frame.
struct FlattenOptions {
    bool parity_errors = true;                  // "execution reverted" -> "Reverted" (Parity's words)
    std::optional<Revision> drop_precompiles;   // leave calls to precompiles out (geth's flatCallTracer)
};

bool is_precompile_frame(const json& frame, Revision rev) {
    const auto to = frame.find("to");
    if (to == frame.end() || !to->is_string()) return false;
    const auto parsed = from_hex(to->get<std::string>());
    return parsed && parsed->size() == 20 && is_precompile(Address::from(*parsed), rev);
}

void flatten_call_frame(const json& frame, std::vector<size_t>& path, const json& location, json& out,
                        const FlattenOptions& options) {
    const std::string type = frame.value("type", "CALL");
    const bool create = type == "CREATE" || type == "CREATE2";
    const bool selfdestruct = type == "SELFDESTRUCT";
    json entry = location;
    entry["traceAddress"] = path;
    json calls = json::array();
    for (const json& call : frame.value("calls", json::array()))
        if (!options.drop_precompiles || !is_precompile_frame(call, *options.drop_precompiles)) calls.push_back(call);
    entry["subtraces"] = calls.size();
    if (create) {
        entry["type"] = "create";
        entry["action"] = {{"from", frame.value("from", "")}, {"gas", frame.value("gas", "0x0")},
                           {"init", frame.value("input", "0x")}, {"value", frame.value("value", "0x0")},
                           {"creationMethod", type == "CREATE2" ? "create2" : "create"}};
        entry["result"] = {{"address", frame.value("to", "")}, {"code", frame.value("output", "0x")},
                           {"gasUsed", frame.value("gasUsed", "0x0")}};
    } else if (selfdestruct) {
        entry["type"] = "suicide";
        entry["action"] = {{"address", frame.value("from", "")}, {"refundAddress", frame.value("to", "")},
                           {"balance", frame.value("value", "0x0")}};
        entry["result"] = nullptr;
    } else {
        std::string call_type = type;
        std::transform(call_type.begin(), call_type.end(), call_type.begin(), [](unsigned char c) { return std::tolower(c); });
        entry["type"] = "call";
        entry["action"] = {{"callType", call_type}, {"from", frame.value("from", "")}, {"to", frame.value("to", "")},
                           {"gas", frame.value("gas", "0x0")}, {"input", frame.value("input", "0x")},
                           {"value", frame.value("value", "0x0")}};
        entry["result"] = {{"gasUsed", frame.value("gasUsed", "0x0")}, {"output", frame.value("output", "0x")}};
    }
    if (frame.contains("error")) {
        entry["error"] = options.parity_errors && frame["error"].get<std::string>() == "execution reverted" ? json("Reverted") : frame["error"];
        entry["result"] = nullptr;
    }
    out.push_back(std::move(entry));
    for (size_t i = 0; i < calls.size(); ++i) {
        path.push_back(i);
        flatten_call_frame(calls[i], path, location, out, options);
        path.pop_back();
    }
}

json flat_call_result(const json& tree, const FlatCall& flat, Revision rev, const json& location) {
    FlattenOptions options;
    options.parity_errors = flat.convert_parity_errors;
    if (!flat.include_precompiles) options.drop_precompiles = rev;
    json out = json::array();
    std::vector<size_t> path;
    flatten_call_frame(tree, path, location, out, options);
    return out;
}

json parity_traces(DevChain& chain, const BlockView& block, std::optional<size_t> only) {
    json trees = json::array();
    const json call_tracer = {{"tracer", "callTracer"}};
    if (only) {
        trees.push_back({{"result", trace_one(chain, block, *only, call_tracer, false, nullptr)}});
    } else {
        trace_one(chain, block, 0, call_tracer, true, &trees);
    }
    json out = json::array();
    for (size_t i = 0; i < trees.size(); ++i) {
        const size_t index = only ? *only : i;
        const json location = {{"blockHash", rpc::hex(block.hash)},
                               {"blockNumber", block.block.header.number},
                               {"transactionHash", rpc::hex(block.transaction_hashes[index])},
                               {"transactionPosition", index}};
        std::vector<size_t> path;
        flatten_call_frame(trees[i]["result"], path, location, out, FlattenOptions{});
    }
    return out;
}

/// trace_filter's criteria (OpenEthereum's, as Anvil and reth read them).
struct TraceFilter {
    uint64_t from = 0, to = 0;
    std::vector<std::string> from_addresses, to_addresses;  // lower-case hex, as traces hold them
    uint64_t after = 0;
    std::optional<uint64_t> count;
};

TraceFilter parse_trace_filter(DevNode& node, const json& object) {
    const auto bad = [](const std::string& what) { return RpcError(rpc::kInvalidParams, "invalid argument 0: " + what); };
    if (!object.is_object()) throw bad("expected a trace filter object");
    TraceFilter f;
    const uint64_t head = node.chain().head().number;
    try {
        // A number past the head is kept here (the range is checked as given), then the head
        // bounds the walk: the traces found up to it are all there are.
        f.from = block_criterion(node, object, "fromBlock", 0, true);
        f.to = block_criterion(node, object, "toBlock", head, true);
        const auto addresses = [&](const char* name, std::vector<std::string>& out) {
            const auto it = object.find(name);
            if (it == object.end() || it->is_null()) return;
            if (!it->is_array()) throw bad(std::string(name) + " must be an array of addresses");
            for (const json& a : *it) out.push_back(rpc::hex(rpc::decode_address(a)));
        };
        addresses("fromAddress", f.from_addresses);
        addresses("toAddress", f.to_addresses);
        const auto number = [&](const char* name) -> std::optional<uint64_t> {
            const auto it = object.find(name);
            if (it == object.end() || it->is_null()) return std::nullopt;
            if (it->is_number_unsigned()) return it->get<uint64_t>();
            return static_cast<uint64_t>(rpc::decode_quantity(*it).low64());
        };
        f.after = number("after").value_or(0);
        f.count = number("count");
    } catch (const rpc::DecodeError& e) {
        throw bad(e.what());
    }
    if (f.from > f.to) throw RpcError(rpc::kInvalidParams, "invalid block range, ensure that to block is greater than from block");
    f.to = std::min(f.to, head);
    if (f.from <= f.to && f.to - f.from > DevNode::kMaxBlocksPerMineCall)
        throw RpcError(rpc::kServerError, "trace_filter: at most " + std::to_string(DevNode::kMaxBlocksPerMineCall) + " blocks at once");
    return f;
}

/// Whether a flat trace is from one of the filter's senders or to one of its recipients (either
/// is enough, as Anvil and reth's default "union" mode; no address given: every trace).
bool trace_matches(const json& trace, const TraceFilter& f) {
    if (f.from_addresses.empty() && f.to_addresses.empty()) return true;
    const json& action = trace["action"];
    const std::string type = trace.value("type", "");
    std::string from, to;
    if (type == "suicide") {
        from = action.value("address", "");
        to = action.value("refundAddress", "");
    } else {
        from = action.value("from", "");
        if (type == "create")
            to = trace["result"].is_object() ? trace["result"].value("address", "") : "";
        else
            to = action.value("to", "");
    }
    const auto in = [](const std::vector<std::string>& list, const std::string& a) { return std::find(list.begin(), list.end(), a) != list.end(); };
    return in(f.from_addresses, from) || in(f.to_addresses, to);
}

json options_param(const json& p, size_t index) {
    const json* o = rpc::param_at(p, index);
    if (o && !o->is_object()) throw RpcError(rpc::kInvalidParams, "invalid argument " + std::to_string(index) + ": expected a tracer config object");
    return o ? *o : json::object();
}
}  // namespace

json trace_mined_transaction(DevChain& chain, const BlockView& block, size_t index, const json& tracer_options) {
    return trace_one(chain, block, index, tracer_options, false, nullptr);
}

json trace_mined_block(DevChain& chain, const BlockView& block, const json& tracer_options) {
    json results = json::array();
    trace_one(chain, block, 0, tracer_options, true, &results);
    return results;
}

void register_debug_methods(DevNode& node, rpc::Dispatcher& d) {
    DevChain& chain = node.chain();
    d.add("debug_traceTransaction", [&node, &chain](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const Hash32 hash = rpc::param_hash(p, 0);
        const json options = options_param(p, 1);
        std::shared_lock lock(node.chain_mutex_);
        const auto found = chain.find_transaction(hash);
        if (!found) throw RpcError(rpc::kServerError, "transaction " + rpc::hex(hash) + " not found");
        return trace_one(chain, *found->first, found->second, options, false, nullptr);
    });
    auto trace_block = [&chain](const BlockPtr& block, const json& options) -> json {
        if (!block) throw RpcError(rpc::kServerError, "block not found");
        json results = json::array();
        trace_one(chain, *block, 0, options, true, &results);
        return results;
    };
    d.add("debug_traceBlockByNumber", [&node, &chain, trace_block](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const json options = options_param(p, 1);
        std::shared_lock lock(node.chain_mutex_);
        const auto n = node.resolve_block(rpc::param_block(p, 0, rpc::BlockSelector::latest()));
        return trace_block(chain.block_by_number(*n), options);
    });
    d.add("debug_traceBlockByHash", [&node, &chain, trace_block](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const Hash32 hash = rpc::param_hash(p, 0);
        const json options = options_param(p, 1);
        std::shared_lock lock(node.chain_mutex_);
        return trace_block(chain.block_by_hash(hash), options);
    });
    d.add("trace_transaction", [&node, &chain](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const Hash32 hash = rpc::param_hash(p, 0);
        std::shared_lock lock(node.chain_mutex_);
        const auto found = chain.find_transaction(hash);
        if (!found) return nullptr;
        return parity_traces(chain, *found->first, found->second);
    });
    d.add("trace_block", [&node, &chain](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        std::shared_lock lock(node.chain_mutex_);
        const auto n = node.resolve_block(rpc::param_block(p, 0, rpc::BlockSelector::latest()), false);
        if (!n) return nullptr;
        const BlockPtr block = chain.block_by_number(*n);
        if (!block || block->block.header.number == 0) return json::array();
        return parity_traces(chain, *block, std::nullopt);
    });
    // OpenEthereum's trace_filter (Anvil and reth have it): the Parity traces of a block range,
    // those from or to the given addresses, `after` of them skipped, at most `count` returned.
    d.add("trace_filter", [&node, &chain](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const json* object = rpc::param_at(p, 0);
        std::shared_lock lock(node.chain_mutex_);
        const TraceFilter f = parse_trace_filter(node, object ? *object : json::object());
        json out = json::array();
        uint64_t skipped = 0;
        for (uint64_t n = std::max<uint64_t>(f.from, 1); n <= f.to; ++n) {  // the genesis has no transactions
            const BlockPtr block = chain.block_by_number(n);
            if (!block || block->block.transactions.empty()) continue;
            for (json& trace : parity_traces(chain, *block, std::nullopt)) {
                if (!trace_matches(trace, f)) continue;
                if (skipped < f.after) {
                    ++skipped;
                    continue;
                }
                if (f.count && out.size() >= *f.count) return out;
                out.push_back(std::move(trace));
            }
        }
        return out;
    });
    d.add("debug_traceCall", [&node, &chain](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 3);
        const TransactionRequest request = transaction_request_param(p, 0);
        const json options = options_param(p, 2);
        std::shared_lock lock(node.chain_mutex_);
        const auto n = node.resolve_block(rpc::param_block(p, 1, rpc::BlockSelector::latest()));
        // geth's TraceCallConfig: the call may run over overridden state and block fields.
        CallOverrides overrides;
        if (options.contains("stateOverrides") && !options["stateOverrides"].is_null()) overrides.state = &options["stateOverrides"];
        if (options.contains("blockOverrides") && !options["blockOverrides"].is_null()) overrides.block = &options["blockOverrides"];
        PreparedCall call = prepare_call(node, request, *n, overrides, request.gas);
        State state(call.view.get());
        ExecutionOptions base;
        base.simulation = true;
        base.wasm_contracts = chain.config().wasm_contracts;
        try {
            // flatCallTracer on a call: the flat form without a block's location.
            const auto flat = flat_call_tracer(options);
            const json result = trace::trace_transaction(state, call.block, call.tx, call.revision, chain.config().chain_id,
                                                         flat ? json{{"tracer", "callTracer"}} : options, base);
            return flat ? flat_call_result(result, *flat, call.revision, json::object()) : result;
        } catch (const std::invalid_argument& e) {
            throw RpcError(rpc::kInvalidParams, std::string("invalid argument 2: ") + e.what());
        } catch (const trace::RejectedTransaction& e) {
            throw RpcError(rpc::kServerError, geth_rejection_message(e.error(), call.tx));
        }
    });
}

}  // namespace polyvm::node
