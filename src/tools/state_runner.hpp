// Executing one state-test case against the execution layer and judging it (shared/README.md,
// "How a case is judged").
#pragma once

#include "exec/transaction_execution.hpp"
#include "state/memory_database.hpp"
#include "state/state.hpp"
#include "tools/state_test.hpp"
#include "tools/statetest_driver.hpp"

#include <vector>

namespace polyvm::tools {

/// The `pre` accounts as a self-contained State (storage slots with current == original).
State build_pre_state(const std::vector<PreAccount>& pre);
/// The `pre` accounts as a database, with the state-test BLOCKHASH convention for the 256
/// ancestors of block `number`: the hash of block n is keccak256 of n's decimal string.
MemoryDatabase build_pre_database(const std::vector<PreAccount>& pre, uint64_t number);

/// Runs the case on a fresh State. Pass iff the state root and logs hash match and the transaction
/// was rejected exactly when an exception is expected, for a rule that expectException names
/// ("wrong rejection: got X, expected Y" otherwise); cases calling a precompile this build lacks
/// are skipped. A txbytes/fields disagreement is a failure too (a decoder or loader bug), and so
/// are txbytes that the decoder rejects for a rule the case does not expect.
/// `parallel_threads` > 1: the transaction runs as a one-transaction block through the parallel
/// executor (`statetest --threads`), which must give the same verdict.
CaseVerdict run_state_test_case(const StateTest& test, const StateTestCase& c, const ExecutionOptions& options = {},
                                unsigned parallel_threads = 1);

}  // namespace polyvm::tools
