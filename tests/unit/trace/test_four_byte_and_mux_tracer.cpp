// geth's 4byteTracer (selector and calldata size of each call, creations and precompiles left
// out) and muxTracer (several tracers over one run, each result under its name).
#include "trace_fixture.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::test;

namespace {
const Address kA = addr(0xa1, 0xa0);
const Address kB = addr(0xb1, 0xb0);

// A: CALL B with 36 bytes of calldata (selector 0x11223344, memory 0..35), twice; STATICCALL the
// identity precompile with the same 36 bytes; STOP. B: STOP.
std::string a_code() {
    const std::string store_selector = "7f11223344" + std::string(56, '0') + "600052";  // PUSH32 selector.., MSTORE at 0
    const std::string call_b = "6000600060246000600073" + to_hex(kB) + "5af150";       // CALL(gas, B, 0, 0, 36, 0, 0)
    const std::string static_identity = "60006000602460006004" "5afa50";                // STATICCALL(gas, 4, 0, 36, 0, 0)
    return store_selector + call_b + call_b + static_identity + "00";
}
}  // namespace

TEST(FourByteTracer, CountsSelectorsAndSizesOfCallsButNotPrecompilesOrCreations) {
    TraceWorld w;
    w.contract(kA, a_code());
    w.contract(kB, "00");
    // The top-level call carries selector 0xaabbccdd and 4 more bytes.
    const auto r = w.trace(TraceWorld::tx(kA, 300'000, 0, *from_hex("aabbccdd01020304")), {{"tracer", "4byteTracer"}});
    SCOPED_TRACE(r.dump(2));
    EXPECT_EQ(r, (nlohmann::json{{"0xaabbccdd-4", 1}, {"0x11223344-32", 2}}));
    // A transaction whose calldata is shorter than a selector counts nothing at the top.
    const auto short_input = w.trace(TraceWorld::tx(kA, 300'000, 0, *from_hex("aabb")), {{"tracer", "4byteTracer"}});
    EXPECT_EQ(short_input, (nlohmann::json{{"0x11223344-32", 2}}));
    // A creation is not a call.
    const auto creation = w.trace(TraceWorld::tx(std::nullopt, 300'000, 0, *from_hex("6000600000")), {{"tracer", "4byteTracer"}});
    EXPECT_EQ(creation, nlohmann::json::object());
}

TEST(MuxTracer, EachTracerResultUnderItsName) {
    TraceWorld w;
    w.contract(kA, a_code());
    w.contract(kB, "00");
    const Transaction tx = TraceWorld::tx(kA, 300'000, 0, *from_hex("aabbccdd01020304"));
    const nlohmann::json mux = {{"tracer", "muxTracer"},
                                {"tracerConfig", {{"4byteTracer", nullptr}, {"callTracer", {{"onlyTopCall", true}}}}}};
    const auto r = w.trace(tx, mux);
    SCOPED_TRACE(r.dump(2));
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r.size(), 2u);
    EXPECT_EQ(r.at("4byteTracer"), w.trace(tx, {{"tracer", "4byteTracer"}}));
    EXPECT_EQ(r.at("callTracer"), w.trace(tx, {{"tracer", "callTracer"}, {"tracerConfig", {{"onlyTopCall", true}}}}));
    EXPECT_FALSE(r.at("callTracer").contains("calls"));
    // Configuration errors name what was wrong.
    EXPECT_THROW(w.trace(tx, {{"tracer", "muxTracer"}, {"tracerConfig", {{"noSuchTracer", nullptr}}}}), std::invalid_argument);
    EXPECT_THROW(w.trace(tx, {{"tracer", "muxTracer"}, {"tracerConfig", {{"muxTracer", nullptr}}}}), std::invalid_argument);
}
