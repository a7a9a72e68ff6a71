// Traces of mined transactions (debug_trace*, trace_*, ots_*): a block is re-run on its parent's
// state (the changes made between them included) up to the transaction asked for.
#pragma once

#include "node/dev_chain.hpp"
#include "rpc/params.hpp"

namespace polyvm::node {

/// The tracer's result for transaction `index` of `block` (geth's tracer options: struct logger,
/// callTracer, ...). Throws rpc::RpcError for bad options or the genesis. Caller holds the chain lock.
rpc::json trace_mined_transaction(DevChain& chain, const BlockView& block, size_t index, const rpc::json& tracer_options);
/// The same for every transaction of the block, as debug_traceBlock answers: [{txHash, result}].
rpc::json trace_mined_block(DevChain& chain, const BlockView& block, const rpc::json& tracer_options);

}  // namespace polyvm::node
