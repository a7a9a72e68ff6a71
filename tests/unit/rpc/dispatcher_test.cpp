// JSON-RPC 2.0 dispatch: the specification's examples (jsonrpc.org/specification, section 7)
// and every error case of the brief.
#include "rpc/dispatcher.hpp"
#include "rpc/json_parse.hpp"
#include "rpc/params.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace polyvm::rpc;

namespace {

class DispatcherTest : public ::testing::Test {
protected:
    DispatcherTest() {
        dispatcher.add("subtract", [](const json& params, const CallContext&) -> json {
            if (params.is_object()) return params.at("minuend").get<int>() - params.at("subtrahend").get<int>();
            return params.at(0).get<int>() - params.at(1).get<int>();
        });
        dispatcher.add("sum", [](const json& params, const CallContext&) -> json {
            int total = 0;
            for (const auto& v : params) total += v.get<int>();
            return total;
        });
        dispatcher.add("params_echo", [](const json& params, const CallContext&) -> json { return params; });
        dispatcher.add("notify_hello", [this](const json&, const CallContext&) -> json {
            ++notifications;
            return nullptr;
        });
        dispatcher.add("get_data", [](const json&, const CallContext&) -> json { return json::array({"hello", 5}); });
        dispatcher.add("revert", [](const json&, const CallContext&) -> json {
            throw RpcError(kExecutionReverted, "execution reverted", "0x08c379a0");
        });
        dispatcher.add("plain_throw", [](const json&, const CallContext&) -> json { throw std::runtime_error("disk on fire"); });
        dispatcher.add("nested_quantity", [](const json& params, const CallContext&) -> json {
            return decode_quantity_u64(params.at(0).at("timestamp"));
        });
        // Deferred: answered by a thread of their own (or at once, or by throwing first).
        dispatcher.add_deferred("later_sum", [this](const json& params, const CallContext&, Dispatcher::Answer answer) {
            const int total = params.at(0).get<int>() + params.at(1).get<int>();
            answerers.emplace_back([total, answer = std::move(answer)] { answer(nullptr, total); });
        });
        dispatcher.add_deferred("later_revert", [this](const json&, const CallContext&, Dispatcher::Answer answer) {
            answerers.emplace_back([answer = std::move(answer)] {
                answer(std::make_exception_ptr(RpcError(kExecutionReverted, "execution reverted", "0x01")), nullptr);
            });
        });
        dispatcher.add_deferred("throws_first", [](const json& params, const CallContext&, Dispatcher::Answer) {
            if (params.empty()) throw RpcError(kInvalidParams, "missing value for required argument 0");
        });
    }
    ~DispatcherTest() override {
        for (auto& t : answerers) t.join();
    }

    /// handle_async, waiting for its reply.
    json call_async(std::string_view body) {
        std::promise<std::string> replied;
        auto reply = replied.get_future();
        dispatcher.handle_async(body, CallContext{}, [&replied](std::string text) { replied.set_value(std::move(text)); });
        const std::string text = reply.get();
        return text.empty() ? json() : json::parse(text);
    }
    std::vector<std::thread> answerers;

    json call(std::string_view body) {
        const std::string text = dispatcher.handle(body, CallContext{});
        return text.empty() ? json() : json::parse(text);
    }

    Dispatcher dispatcher;
    int notifications = 0;
};

}  // namespace

TEST_F(DispatcherTest, PositionalAndNamedParameters) {
    EXPECT_EQ(call(R"({"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1})"),
              json::parse(R"({"jsonrpc":"2.0","result":19,"id":1})"));
    EXPECT_EQ(call(R"({"jsonrpc":"2.0","method":"subtract","params":[23,42],"id":2})")["result"], -19);
    EXPECT_EQ(call(R"({"jsonrpc":"2.0","method":"subtract","params":{"subtrahend":23,"minuend":42},"id":3})")["result"], 19);
}

TEST_F(DispatcherTest, IdsAreEchoedVerbatim) {
    EXPECT_EQ(call(R"({"jsonrpc":"2.0","method":"sum","params":[1],"id":"abc"})")["id"], "abc");
    EXPECT_EQ(call(R"({"jsonrpc":"2.0","method":"sum","params":[1],"id":18446744073709551615})")["id"],
              json(18446744073709551615ULL));
    EXPECT_EQ(call(R"({"jsonrpc":"2.0","method":"sum","params":[1],"id":-7})")["id"], -7);
    EXPECT_EQ(call(R"({"jsonrpc":"2.0","method":"sum","params":[1],"id":1.5})")["id"], 1.5);
    const json null_id = call(R"({"jsonrpc":"2.0","method":"sum","params":[1],"id":null})");
    ASSERT_TRUE(null_id.contains("id"));
    EXPECT_TRUE(null_id["id"].is_null());
    EXPECT_EQ(null_id["result"], 1);
}

TEST_F(DispatcherTest, AbsentOrNullParamsArriveAsEmptyArray) {
    EXPECT_EQ(call(R"({"jsonrpc":"2.0","method":"params_echo","id":1})")["result"], json::array());
    EXPECT_EQ(call(R"({"jsonrpc":"2.0","method":"params_echo","params":null,"id":1})")["result"], json::array());
}

TEST_F(DispatcherTest, NotificationsGetNoResponse) {
    EXPECT_EQ(dispatcher.handle(R"({"jsonrpc":"2.0","method":"notify_hello","params":[7]})", {}), "");
    EXPECT_EQ(notifications, 1);
    // Unknown methods and failures of notifications stay silent too.
    EXPECT_EQ(dispatcher.handle(R"({"jsonrpc":"2.0","method":"foobar"})", {}), "");
    EXPECT_EQ(dispatcher.handle(R"({"jsonrpc":"2.0","method":"plain_throw"})", {}), "");
    EXPECT_EQ(dispatcher.handle(R"([{"jsonrpc":"2.0","method":"notify_hello","params":[1,2,4]},{"jsonrpc":"2.0","method":"notify_hello","params":[7]}])", {}), "");
    EXPECT_EQ(notifications, 3);
}

TEST_F(DispatcherTest, UnknownMethod) {
    const json r = call(R"({"jsonrpc":"2.0","method":"foobar","id":"1"})");
    EXPECT_EQ(r["error"]["code"], -32601);
    EXPECT_EQ(r["error"]["message"], "the method foobar does not exist/is not available");
    EXPECT_EQ(r["id"], "1");
    EXPECT_FALSE(r.contains("result"));
}

TEST_F(DispatcherTest, ParseErrorHasNullId) {
    const json r = call(R"({"jsonrpc":"2.0","method":"foobar,"params":"bar","baz])");
    EXPECT_EQ(r["error"]["code"], -32700);
    EXPECT_TRUE(r["id"].is_null());
    EXPECT_TRUE(r["error"]["message"].get<std::string>().starts_with("parse error"));
    EXPECT_EQ(call("")["error"]["code"], -32700);
    // A broken batch is one parse error, not a batch of them.
    const json batch = call(R"([{"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":"1"},{"jsonrpc":"2.0","method")");
    ASSERT_TRUE(batch.is_object());
    EXPECT_EQ(batch["error"]["code"], -32700);
}

TEST_F(DispatcherTest, WrongShapesAreInvalidRequests) {
    const std::vector<std::string> bodies = {
        R"({"jsonrpc":"2.0","method":1,"params":"bar"})",            // method not a string
        R"({"jsonrpc":"2.0","params":[1],"id":4})",                   // method missing
        R"({"jsonrpc":"1.0","method":"sum","params":[1],"id":4})",    // wrong version
        R"({"method":"sum","params":[1],"id":4})",                    // version missing
        R"({"jsonrpc":"2.0","method":"sum","params":"bar","id":4})",  // params a string
        R"({"jsonrpc":"2.0","method":"sum","params":7,"id":4})",      // params a number
        R"({"jsonrpc":"2.0","method":"sum","params":[1],"id":{}})",   // id an object
        R"(1)",
        R"("sum")",
    };
    for (const auto& body : bodies) {
        const json r = call(body);
        ASSERT_TRUE(r.is_object()) << body;
        EXPECT_EQ(r["error"]["code"], -32600) << body;
        EXPECT_EQ(r["jsonrpc"], "2.0") << body;
    }
    // A request with a valid id keeps it in the error.
    EXPECT_EQ(call(R"({"jsonrpc":"1.0","method":"sum","id":4})")["id"], 4);
    EXPECT_TRUE(call(R"({"jsonrpc":"2.0","method":"sum","id":[1]})")["id"].is_null());
}

TEST_F(DispatcherTest, Batch) {
    // jsonrpc.org example: results in request order, notifications omitted, errors in place.
    const json r = call(R"([
        {"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":"1"},
        {"jsonrpc":"2.0","method":"notify_hello","params":[7]},
        {"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":"2"},
        {"foo":"boo"},
        {"jsonrpc":"2.0","method":"foo.get","params":{"name":"myself"},"id":"5"},
        {"jsonrpc":"2.0","method":"get_data","id":"9"}])");
    ASSERT_TRUE(r.is_array());
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(r[0]["id"], "1");
    EXPECT_EQ(r[0]["result"], 7);
    EXPECT_EQ(r[1]["id"], "2");
    EXPECT_EQ(r[1]["result"], 19);
    EXPECT_EQ(r[2]["error"]["code"], -32600);
    EXPECT_TRUE(r[2]["id"].is_null());
    EXPECT_EQ(r[3]["error"]["code"], -32601);
    EXPECT_EQ(r[3]["id"], "5");
    EXPECT_EQ(r[4]["result"], json::array({"hello", 5}));
    EXPECT_EQ(notifications, 1);
}

TEST_F(DispatcherTest, BatchOfInvalidEntries) {
    const json r = call("[1,2,3]");
    ASSERT_TRUE(r.is_array());
    ASSERT_EQ(r.size(), 3u);
    for (const auto& e : r) EXPECT_EQ(e["error"]["code"], -32600);
}

TEST_F(DispatcherTest, EmptyAndOversizedBatches) {
    const json empty = call("[]");
    ASSERT_TRUE(empty.is_object());
    EXPECT_EQ(empty["error"]["code"], -32600);
    EXPECT_EQ(empty["error"]["message"], "empty batch");

    dispatcher.limits.max_batch = 3;
    std::string body = "[";
    for (int i = 0; i < 4; ++i) body += std::string(i ? "," : "") + R"({"jsonrpc":"2.0","method":"sum","params":[1],"id":)" + std::to_string(i) + "}";
    body += "]";
    const json big = call(body);
    ASSERT_TRUE(big.is_object());
    EXPECT_EQ(big["error"]["code"], -32600);
    EXPECT_TRUE(big["error"]["message"].get<std::string>().starts_with("batch too large"));
    // At the limit it is served.
    body = "[";
    for (int i = 0; i < 3; ++i) body += std::string(i ? "," : "") + R"({"jsonrpc":"2.0","method":"sum","params":[1],"id":)" + std::to_string(i) + "}";
    body += "]";
    EXPECT_EQ(call(body).size(), 3u);
}

TEST_F(DispatcherTest, MethodErrors) {
    const json reverted = call(R"({"jsonrpc":"2.0","method":"revert","id":1})");
    EXPECT_EQ(reverted["error"]["code"], 3);
    EXPECT_EQ(reverted["error"]["message"], "execution reverted");
    EXPECT_EQ(reverted["error"]["data"], "0x08c379a0");
    const json thrown = call(R"({"jsonrpc":"2.0","method":"plain_throw","id":2})");
    EXPECT_EQ(thrown["error"]["code"], -32603);
    EXPECT_EQ(thrown["error"]["message"], "disk on fire");
    EXPECT_FALSE(thrown["error"].contains("data"));
    // A library error inside a method (json type error) is an internal error, not a crash.
    const json bad = call(R"({"jsonrpc":"2.0","method":"subtract","params":["a","b"],"id":3})");
    EXPECT_EQ(bad["error"]["code"], -32603);
    // A value a method decodes itself that does not decode is the caller's error (fuzz_rpc found
    // evm_mine's {"timestamp": <a number beyond 64 bits>} answered as an internal error).
    const json nested = call(R"({"jsonrpc":"2.0","method":"nested_quantity","params":[{"timestamp":1e40}],"id":4})");
    EXPECT_EQ(nested["error"]["code"], -32602);
    EXPECT_NE(nested["error"]["message"].get<std::string>().find("cannot unmarshal"), std::string::npos) << nested.dump();
    EXPECT_EQ(call(R"({"jsonrpc":"2.0","method":"nested_quantity","params":[{"timestamp":"0x10"}],"id":5})")["result"], 16);
}

TEST_F(DispatcherTest, HasAndHook) {
    EXPECT_TRUE(dispatcher.has("sum"));
    EXPECT_FALSE(dispatcher.has("nope"));
    std::vector<std::pair<std::string, int>> log;
    dispatcher.on_call = [&](std::string_view method, const json&, const json* error) {
        log.emplace_back(std::string(method), error ? (*error)["code"].get<int>() : 0);
    };
    call(R"([{"jsonrpc":"2.0","method":"sum","params":[1],"id":1},{"jsonrpc":"2.0","method":"revert","id":2},{"jsonrpc":"2.0","method":"x","id":3}])");
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[0], std::make_pair(std::string("sum"), 0));
    EXPECT_EQ(log[1], std::make_pair(std::string("revert"), 3));
    EXPECT_EQ(log[2], std::make_pair(std::string("x"), -32601));
}

TEST_F(DispatcherTest, InvalidUtf8InResultDoesNotThrow) {
    dispatcher.add("bad_utf8", [](const json&, const CallContext&) -> json { return std::string("\xff\xfe"); });
    const json r = call(R"({"jsonrpc":"2.0","method":"bad_utf8","id":1})");
    EXPECT_TRUE(r.contains("result"));
}

// Deferred methods: answered from another thread through handle_async, waited for by handle
// (batches and in-process calls); every other request answers handle_async at once.
TEST_F(DispatcherTest, DeferredMethods) {
    EXPECT_EQ(call_async(R"({"jsonrpc":"2.0","method":"later_sum","params":[2,3],"id":4})"),
              json::parse(R"({"jsonrpc":"2.0","result":5,"id":4})"));
    EXPECT_EQ(call(R"({"jsonrpc":"2.0","method":"later_sum","params":[2,3],"id":4})"),
              json::parse(R"({"jsonrpc":"2.0","result":5,"id":4})"));
    const json reverted = call_async(R"({"jsonrpc":"2.0","method":"later_revert","id":"x"})");
    EXPECT_EQ(reverted["error"]["code"], kExecutionReverted);
    EXPECT_EQ(reverted["error"]["data"], "0x01");
    EXPECT_EQ(reverted["id"], "x");
    const json refused = call_async(R"({"jsonrpc":"2.0","method":"throws_first","params":[],"id":1})");
    EXPECT_EQ(refused["error"]["code"], kInvalidParams);
    // A batch mixing both kinds, in order.
    const json batch = call_async(R"([{"jsonrpc":"2.0","method":"later_sum","params":[1,1],"id":1},
                                      {"jsonrpc":"2.0","method":"sum","params":[1,2],"id":2}])");
    ASSERT_TRUE(batch.is_array());
    ASSERT_EQ(batch.size(), 2u);
    EXPECT_EQ(batch[0]["result"], 2);
    EXPECT_EQ(batch[1]["result"], 3);
    // Plain methods, envelope errors and parse errors answer through handle_async too.
    EXPECT_EQ(call_async(R"({"jsonrpc":"2.0","method":"sum","params":[1,2],"id":9})")["result"], 3);
    EXPECT_EQ(call_async(R"({"jsonrpc":"1.0","method":"later_sum","params":[1,2],"id":9})")["error"]["code"], kInvalidRequest);
    EXPECT_EQ(call_async(R"({"jsonrpc":"2.0","method":"later_sum")")["error"]["code"], kParseError);
    // A notification to a deferred method: nothing to answer.
    EXPECT_TRUE(call_async(R"({"jsonrpc":"2.0","method":"later_sum","params":[1,2]})").is_null());
}

// A single request is read without building its object (read_request_members) when it can be;
// a batch always goes the general way. So the batch of one request must answer exactly what the
// request alone answers: checked over generated requests (members in any order, repeated,
// missing, of the wrong type, extra ones, escapes, whitespace, ids of every kind).
TEST_F(DispatcherTest, SingleRequestsAnswerAsTheirBatchOfOne) {
    // A deferred method that answers before it returns (a thread per call would pile up here).
    dispatcher.add_deferred("inline_sum", [](const json& params, const CallContext&, Dispatcher::Answer answer) {
        answer(nullptr, params.at(0).get<int>() + params.at(1).get<int>());
    });
    std::mt19937 rng(7);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    const std::vector<std::string> versions = {R"("2.0")", R"("1.0")", "2", R"("2.\u0030")", "null"};
    const std::vector<std::string> methods = {R"("sum")", R"("params_echo")", R"("revert")", R"("plain_throw")",
                                              R"("nope")", R"("su\u006d")", "7", R"("inline_sum")", R"("get_data")"};
    const std::vector<std::string> ids = {"1", "0", "-3", "18446744073709551615", "1.5", "1e2", R"("a")", R"("")",
                                          R"("\"q\"")", R"("é")", "null", "[1]", "{}", "true"};
    const std::vector<std::string> params = {"[]", "[1,2]", "[ 40 , 2 ]", R"({"a":1})", "null", "5", R"("x")",
                                             R"([1,"\u00e9"])", "[[1],[2]]"};
    const std::vector<std::string> spaces = {"", "", " ", "\n\t", " \r\n"};
    int direct = 0;
    for (int round = 0; round < 3000; ++round) {
        std::vector<std::string> members;
        auto space = [&] { return spaces[pick(spaces.size())]; };
        auto member = [&](const std::string& key, const std::string& value) {
            members.push_back(space() + "\"" + key + "\"" + space() + ":" + space() + value + space());
        };
        if (pick(10) != 0) member("jsonrpc", versions[pick(4) == 0 ? pick(versions.size()) : 0]);
        if (pick(10) != 0) member("method", methods[pick(methods.size())]);
        if (pick(4) != 0) member("id", ids[pick(ids.size())]);
        if (pick(3) != 0) member("params", params[pick(params.size())]);
        if (pick(15) == 0) member("id", ids[pick(ids.size())]);                 // repeated
        if (pick(15) == 0) member("method", methods[pick(methods.size())]);     // repeated
        if (pick(15) == 0) member("extra", "[1,{\"b\":null}]");                 // ignored member
        std::shuffle(members.begin(), members.end(), rng);
        std::string body = space() + "{";
        for (size_t i = 0; i < members.size(); ++i) body += (i ? "," : "") + members[i];
        body += "}" + space();
        // The general path's answer: the batch's only entry, or nothing for a notification.
        const std::string batch = dispatcher.handle("[" + body + "]", CallContext{});
        const std::string expected = batch.empty() ? batch : batch.substr(1, batch.size() - 2);
        EXPECT_EQ(dispatcher.handle(body, CallContext{}), expected) << body;
        std::promise<std::string> replied;
        dispatcher.handle_async(body, CallContext{}, [&replied](std::string text) { replied.set_value(std::move(text)); });
        EXPECT_EQ(replied.get_future().get(), expected) << body;
        direct += polyvm::rpc::read_request_members(body).has_value();
    }
    EXPECT_GT(direct, 300);  // the direct path was taken often enough to be tested
    EXPECT_EQ(notifications, 0);
}
