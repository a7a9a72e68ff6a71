#include "trace/transaction_trace.hpp"

#include "trace/call_tracer.hpp"
#include "trace/four_byte_tracer.hpp"
#include "trace/prestate_tracer.hpp"
#include "trace/struct_logger.hpp"
#include "trace/tracer_options.hpp"

namespace polyvm::trace {
namespace {
/// geth's noopTracer: runs the transaction, answers {}.
class NoopTracer final : public TransactionTracer {
public:
    nlohmann::json result(const TransactionOutcome&, const Transaction&) override { return nlohmann::json::object(); }
};
}  // namespace

std::unique_ptr<TransactionTracer> make_transaction_tracer(const nlohmann::json& options_value) {
    const nlohmann::json& options = require_object(options_value, "tracer options");
    const auto name_it = options.find("tracer");
    if (name_it == options.end() || name_it->is_null() || (name_it->is_string() && name_it->get<std::string>().empty())) {
        StructLoggerConfig config;
        config.enable_memory = read_bool(options, "enableMemory");
        config.disable_stack = read_bool(options, "disableStack");
        config.disable_storage = read_bool(options, "disableStorage");
        config.enable_return_data = read_bool(options, "enableReturnData");
        config.limit = read_count(options, "limit");
        return std::make_unique<StructLogger>(config);
    }
    if (!name_it->is_string()) throw std::invalid_argument("tracer must be a string");
    const std::string name = name_it->get<std::string>();
    const nlohmann::json null_config;
    const auto config_it = options.find("tracerConfig");
    const nlohmann::json& tracer_config =
        require_object(config_it == options.end() ? null_config : *config_it, "tracerConfig");
    if (name == "callTracer") {
        CallTracerConfig config;
        config.only_top_call = read_bool(tracer_config, "onlyTopCall", "tracerConfig.");
        config.with_log = read_bool(tracer_config, "withLog", "tracerConfig.");
        return std::make_unique<CallTracer>(config);
    }
    if (name == "prestateTracer") {
        PrestateTracerConfig config;
        config.diff_mode = read_bool(tracer_config, "diffMode", "tracerConfig.");
        config.disable_code = read_bool(tracer_config, "disableCode", "tracerConfig.");
        config.disable_storage = read_bool(tracer_config, "disableStorage", "tracerConfig.");
        return std::make_unique<PrestateTracer>(config);
    }
    if (name == "noopTracer") return std::make_unique<NoopTracer>();
    if (name == "4byteTracer") return std::make_unique<FourByteTracer>();
    if (name == "muxTracer") return std::make_unique<MuxTracer>(config_it == options.end() ? nlohmann::json::object() : *config_it);
    throw std::invalid_argument("unknown tracer " + name);
}

nlohmann::json trace_transaction(State& state, const BlockInfo& block, const Transaction& tx, Revision rev,
                                 const uint256& chain_id, const nlohmann::json& options,
                                 ExecutionOptions options_base) {
    const std::unique_ptr<TransactionTracer> tracer = make_transaction_tracer(options);
    tracer->begin(state, block, tx, rev);
    ExecutionOptions execution = options_base;
    execution.tracer = tracer.get();
    const TransactionOutcome outcome = execute_transaction(state, block, tx, rev, chain_id, execution);
    if (outcome.rejection) throw RejectedTransaction(*outcome.rejection);
    tracer->finish(state, outcome);
    return tracer->result(outcome, tx);
}

}  // namespace polyvm::trace
