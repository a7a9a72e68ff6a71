// Tracing: debug_traceTransaction, debug_traceCall, debug_traceBlockByNumber/ByHash with geth's
// struct logger, callTracer and prestateTracer (src/trace). A mined transaction is traced by
// re-running its block up to it on the parent's state.
#include "exec/transaction_execution.hpp"
#include "node/dev_node.hpp"
#include "node/rpc_format.hpp"
#include "trace/transaction_trace.hpp"

namespace polyvm::node {
namespace {
using rpc::RpcError;

json trace_one(DevChain& chain, const BlockView& block, size_t index, const json& options, bool all, json* results) {
    const BlockHeader& h = block.block.header;
    if (h.number == 0) throw RpcError(rpc::kServerError, "genesis is not traceable");
    auto view = chain.state_at(h.number - 1);
    view->number = h.number;
    State state(view.get());
    const BlockEnvironment env = block_environment(h, chain.config());
    const uint256& chain_id = chain.config().chain_id;
    for (size_t i = 0; i < block.block.transactions.size(); ++i) {
        const Transaction& tx = block.block.transactions[i];
        if (all || i == index) {
            try {
                json result = trace::trace_transaction(state, env.info, tx, env.revision, chain_id, options);
                if (!all) return result;
                results->push_back({{"txHash", rpc::hex(block.transaction_hashes[i])}, {"result", std::move(result)}});
            } catch (const std::invalid_argument& e) {
                throw RpcError(rpc::kInvalidParams, std::string("invalid argument 1: ") + e.what());
            }
        } else {
            execute_transaction(state, env.info, tx, env.revision, chain_id);
        }
    }
    return nullptr;
}

json options_param(const json& p, size_t index) {
    const json* o = rpc::param_at(p, index);
    if (o && !o->is_object()) throw RpcError(rpc::kInvalidParams, "invalid argument " + std::to_string(index) + ": expected a tracer config object");
    return o ? *o : json::object();
}
}  // namespace

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
    d.add("debug_traceCall", [&node, &chain](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 3);
        const json* object = rpc::param_at(p, 0);
        if (!object) throw RpcError(rpc::kInvalidParams, "missing value for required argument 0");
        const TransactionRequest request = parse_transaction_request(*object, 0);
        const json options = options_param(p, 2);
        std::shared_lock lock(node.chain_mutex_);
        const auto n = node.resolve_block(rpc::param_block(p, 1, rpc::BlockSelector::latest()));
        auto view = chain.state_at(*n);
        BlockInfo info = call_block_info(node, *n);
        const Address from = request.from.value_or(Address{});
        const auto account = view->read_account(from);
        Transaction tx = transaction_from_request(request, request.gas.value_or(info.gas_limit), account ? account->nonce : 0,
                                                  chain.config().chain_id);
        tx.sender = from;
        if (tx.max_fee_per_gas.is_zero()) info.base_fee = uint256{};
        State state(view.get());
        ExecutionOptions base;
        base.simulation = true;
        try {
            return trace::trace_transaction(state, info, tx, chain.config().revision_at(info.timestamp), chain.config().chain_id,
                                            options, base);
        } catch (const std::invalid_argument& e) {
            throw RpcError(rpc::kInvalidParams, std::string("invalid argument 2: ") + e.what());
        } catch (const trace::RejectedTransaction& e) {
            throw RpcError(rpc::kServerError, geth_rejection_message(e.error(), tx));
        }
    });
}

}  // namespace polyvm::node
