// debug_trace* options: tracer selection and errors that name the bad field.
#include "trace_fixture.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::test;

namespace {
std::string error_of(const nlohmann::json& options) {
    try {
        trace::make_transaction_tracer(options);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(TracerOptions, BadOptionsNameTheField) {
    EXPECT_EQ(error_of({{"tracer", "fooTracer"}}), "unknown tracer fooTracer");
    EXPECT_NE(error_of({{"tracer", 5}}).find("tracer"), std::string::npos);
    EXPECT_NE(error_of({{"enableMemory", "yes"}}).find("enableMemory"), std::string::npos);
    EXPECT_NE(error_of({{"disableStack", 1}}).find("disableStack"), std::string::npos);
    EXPECT_NE(error_of({{"limit", -1}}).find("limit"), std::string::npos);
    EXPECT_NE(error_of({{"tracer", "callTracer"}, {"tracerConfig", {{"onlyTopCall", 1}}}}).find("tracerConfig.onlyTopCall"),
              std::string::npos);
    EXPECT_NE(error_of({{"tracer", "prestateTracer"}, {"tracerConfig", {{"diffMode", "true"}}}}).find("diffMode"),
              std::string::npos);
    EXPECT_NE(error_of({{"tracer", "callTracer"}, {"tracerConfig", "x"}}).find("tracerConfig"), std::string::npos);
    EXPECT_NE(error_of(nlohmann::json::array()).find("options"), std::string::npos);
}

TEST(TracerOptions, DefaultsAndIgnoredFields) {
    EXPECT_EQ(error_of(nullptr), "");
    EXPECT_EQ(error_of(nlohmann::json::object()), "");
    EXPECT_EQ(error_of({{"tracer", "callTracer"}, {"tracerConfig", nullptr}}), "");
    EXPECT_EQ(error_of({{"timeout", "5s"}, {"reexec", 128}}), "");  // the node's business

    TraceWorld w;
    const auto noop = w.trace(TraceWorld::tx(addr(0x77), 21000, 1), {{"tracer", "noopTracer"}});
    EXPECT_EQ(noop, nlohmann::json::object());
}

TEST(TracerOptions, RejectedTransactionThrowsAndLeavesStateAlone) {
    TraceWorld w;
    Transaction tx = TraceWorld::tx(addr(0x77), 21000, 1);
    tx.nonce = 3;
    State& s = w.fresh_state();
    try {
        trace::trace_transaction(s, TraceWorld::block(), tx, Revision::Cancun, 1, nlohmann::json::object());
        FAIL() << "no exception";
    } catch (const trace::RejectedTransaction& e) {
        EXPECT_EQ(e.error().rule, "NONCE_MISMATCH_TOO_HIGH");
    }
    EXPECT_EQ(s.find(kSender)->balance, kSenderBalance);
    EXPECT_EQ(s.find(kSender)->nonce, 0u);
}
