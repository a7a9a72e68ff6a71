// The interpreter: runs one frame of EVM code. Nested frames go through Host::call.
#pragma once

#include "evm/analysis.hpp"
#include "evm/host.hpp"
#include "evm/tracer.hpp"

namespace polyvm {

/// Runs `code` (analysed once by the caller and reused) for `msg` under the rules of `rev`.
/// Exceptional halts consume all gas and report gas_left = 0; on Revert the remaining gas and
/// the output come back. gas_refund is the frame's refund counter (including those of its
/// successful children) and is 0 unless the status is Success.
ExecutionResult execute(Host& host, Revision rev, const Message& msg, const CodeAnalysis& code,
                        Tracer* tracer = nullptr);

/// Analyses `code` and runs it.
ExecutionResult execute(Host& host, Revision rev, const Message& msg, bytes_view code, Tracer* tracer = nullptr);

}  // namespace polyvm
