// The HTTP/WebSocket server against real sockets on 127.0.0.1 (port 0), driven by a raw
// Asio/Beast client in the test. Every client operation has a deadline, so a server bug fails a
// test instead of hanging it.
#include "common/large_stack_thread.hpp"
#include "rpc/dispatcher.hpp"
#include "rpc/server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>
#include <pthread.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

using namespace polyvm::rpc;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using Response = http::response<http::string_body>;

namespace {

// Dispatcher-backed handler that records what the server tells it.
class TestHandler : public RequestHandler {
public:
    TestHandler() {
        dispatcher.add("echo", [](const json& params, const CallContext&) -> json { return params; });
        dispatcher.add("whoami", [](const json&, const CallContext& context) -> json {
            return {{"websocket", context.connection && context.connection->is_websocket()},
                    {"id", context.connection ? context.connection->id() : 0}};
        });
        // Answered from another thread, after the given milliseconds.
        dispatcher.add_deferred("later", [this](const json& params, const CallContext&, Dispatcher::Answer answer) {
            const int delay = params.at(0).get<int>();
            std::lock_guard lock(mutex);
            answerers.emplace_back([delay, params, answer = std::move(answer)] {
                std::this_thread::sleep_for(std::chrono::milliseconds(delay));
                answer(nullptr, params);
            });
        });
        // The stack size of the thread that runs handlers.
        dispatcher.add("stack_size", [](const json&, const CallContext&) -> json {
            pthread_attr_t attr;
            size_t size = 0;
            if (pthread_getattr_np(pthread_self(), &attr) == 0) {
                pthread_attr_getstacksize(&attr, &size);
                pthread_attr_destroy(&attr);
            }
            return size;
        });
        dispatcher.add("subscribe", [this](const json&, const CallContext& context) -> json {
            std::lock_guard lock(mutex);
            subscriber = context.connection;
            return "0x1";
        });
    }
    std::string handle(std::string_view body, const CallContext& context) override { return dispatcher.handle(body, context); }
    void handle_async(std::string_view body, const CallContext& context, std::function<void(std::string)> reply) override {
        dispatcher.handle_async(body, context, std::move(reply));
    }
    void on_close(uint64_t id) override {
        std::lock_guard lock(mutex);
        closed.push_back(id);
        subscriber.reset();
        changed.notify_all();
    }
    bool wait_closed(size_t count, std::chrono::milliseconds limit = 5000ms) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, limit, [&] { return closed.size() >= count; });
    }
    std::shared_ptr<Connection> current_subscriber() {
        std::lock_guard lock(mutex);
        return subscriber;
    }

    ~TestHandler() {
        for (auto& t : answerers) t.join();
    }
    Dispatcher dispatcher;
    std::vector<std::thread> answerers;
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<uint64_t> closed;
    std::shared_ptr<Connection> subscriber;
};

// Runs one asynchronous operation to completion or until the deadline (then cancel() and fail).
template <typename Start, typename Cancel>
error_code run_with_deadline(net::io_context& io, Start start, Cancel cancel, std::chrono::milliseconds limit) {
    std::optional<error_code> result;
    start([&](error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run_for(limit);
    if (result) return *result;
    cancel();
    io.restart();
    io.run();
    return net::error::timed_out;
}

class HttpClient {
public:
    explicit HttpClient(uint16_t port) {
        error_code ec;
        socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
        connected = !ec;
    }
    template <typename Start>
    error_code wait(Start start, std::chrono::milliseconds limit = 5000ms) {
        return run_with_deadline(io, start, [this] { error_code ignored; socket.close(ignored); }, limit);
    }
    error_code write(const std::string& raw) {
        return wait([&](auto handler) { net::async_write(socket, net::buffer(raw), handler); });
    }
    std::optional<Response> read_response(std::chrono::milliseconds limit = 5000ms) {
        Response response;
        if (wait([&](auto handler) { http::async_read(socket, buffer, response, handler); }, limit)) return std::nullopt;
        return response;
    }
    std::optional<Response> post(const std::string& body, const std::string& extra_headers = "") {
        if (write("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + extra_headers +
                  "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body))
            return std::nullopt;
        return read_response();
    }
    // True when the server closes the connection (end of stream or reset) within the limit.
    bool closed_by_server(std::chrono::milliseconds limit = 5000ms) {
        char scratch[4096];
        for (;;) {
            size_t got = 0;
            const error_code ec = wait(
                [&](auto handler) {
                    socket.async_read_some(net::buffer(scratch), [&got, handler](error_code e, size_t n) mutable {
                        got = n;
                        handler(e);
                    });
                },
                limit);
            if (ec == net::error::timed_out) return false;
            if (ec) return true;
            (void)got;  // data before the close (a response): keep reading
        }
    }

    net::io_context io;
    tcp::socket socket{io};
    beast::flat_buffer buffer;
    bool connected = false;
};

class WsClient {
public:
    explicit WsClient(uint16_t port) {
        error_code ec;
        ws.next_layer().connect({net::ip::make_address("127.0.0.1"), port}, ec);
        if (ec) return;
        ec = wait([&](auto handler) { ws.async_handshake("127.0.0.1", "/", handler); });
        connected = !ec;
    }
    template <typename Start>
    error_code wait(Start start, std::chrono::milliseconds limit = 5000ms) {
        return run_with_deadline(io, start, [this] { error_code ignored; ws.next_layer().close(ignored); }, limit);
    }
    bool send(const std::string& text) {
        return !wait([&](auto handler) { ws.async_write(net::buffer(text), handler); });
    }
    std::optional<json> receive() {
        beast::flat_buffer buffer;
        if (wait([&](auto handler) { ws.async_read(buffer, handler); })) return std::nullopt;
        return json::parse(beast::buffers_to_string(buffer.data()));
    }
    void close() {
        wait([&](auto handler) { ws.async_close(websocket::close_code::normal, handler); });
    }

    net::io_context io;
    websocket::stream<tcp::socket> ws{io};
    bool connected = false;
};

class ServerTest : public ::testing::Test {
protected:
    uint16_t start(ServerOptions options = {}) {
        options.port = 0;
        server.emplace(options, handler);
        return port = server->start();
    }
    TestHandler handler;
    std::optional<Server> server;
    uint16_t port = 0;
};

const std::string kEcho = R"({"jsonrpc":"2.0","id":7,"method":"echo","params":[1,"two"]})";

}  // namespace

TEST_F(ServerTest, PostRoundTrip) {
    start();
    ASSERT_NE(port, 0);
    HttpClient client(port);
    ASSERT_TRUE(client.connected);
    const auto response = client.post(kEcho);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200);
    EXPECT_EQ((*response)[http::field::content_type], "application/json");
    EXPECT_EQ(json::parse(response->body()), json::parse(R"({"jsonrpc":"2.0","id":7,"result":[1,"two"]})"));
    const auto who = client.post(R"({"jsonrpc":"2.0","id":1,"method":"whoami"})");
    ASSERT_TRUE(who);
    EXPECT_EQ(json::parse(who->body())["result"]["websocket"], false);
}

// Handlers execute EVM code (eth_call, estimates, traces), which recurses natively up to call
// depth 1024: the server's threads have the execution stack (docs/security.md), not the
// default 8 MiB (or 2 MiB with an unlimited stack rlimit).
TEST_F(ServerTest, HandlersRunOnThreadsWithTheExecutionStack) {
    start();
    HttpClient client(port);
    ASSERT_TRUE(client.connected);
    const auto response = client.post(R"({"jsonrpc":"2.0","id":1,"method":"stack_size"})");
    ASSERT_TRUE(response);
    EXPECT_GE(json::parse(response->body())["result"].get<size_t>(), polyvm::kExecutionStackSize);
}

// A method that answers later, from another thread, keeps its connection waiting but not the
// I/O thread: with one I/O thread, a request on a second connection is answered meanwhile.
TEST_F(ServerTest, DeferredAnswersDoNotHoldTheIoThread) {
    ServerOptions options;
    options.threads = 1;
    start(options);
    HttpClient slow(port);
    ASSERT_TRUE(slow.connected);
    std::optional<http::response<http::string_body>> slow_response;
    std::thread waiter([&] { slow_response = slow.post(R"({"jsonrpc":"2.0","id":1,"method":"later","params":[1500]})"); });
    std::this_thread::sleep_for(200ms);
    HttpClient fast(port);
    ASSERT_TRUE(fast.connected);
    const auto started = std::chrono::steady_clock::now();
    const auto echo = fast.post(kEcho);
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(echo);
    EXPECT_EQ(json::parse(echo->body())["result"], json::parse(R"([1,"two"])"));
    EXPECT_LT(took, 1000ms);  // not queued behind the deferred answer (1.3 s away)
    waiter.join();
    ASSERT_TRUE(slow_response);
    EXPECT_EQ(json::parse(slow_response->body()), json::parse(R"({"jsonrpc":"2.0","id":1,"result":[1500]})"));
    // The connection goes on after a deferred answer.
    const auto again = slow.post(kEcho);
    ASSERT_TRUE(again);
    EXPECT_EQ(json::parse(again->body())["id"], 7);
}

TEST_F(ServerTest, KeepAliveManyRequestsOnOneConnection) {
    start();
    HttpClient client(port);
    for (int i = 0; i < 500; ++i) {
        const auto response = client.post(R"({"jsonrpc":"2.0","method":"echo","params":[)" + std::to_string(i) + R"(],"id":)" +
                                          std::to_string(i) + "}");
        ASSERT_TRUE(response) << i;
        const json body = json::parse(response->body());
        ASSERT_EQ(body["id"], i);
        ASSERT_EQ(body["result"][0], i);
        ASSERT_TRUE(response->keep_alive());
    }
}

TEST_F(ServerTest, PipelinedRequestsAnsweredInOrder) {
    start();
    HttpClient client(port);
    std::string raw;
    for (int i = 0; i < 3; ++i) {
        const std::string body = R"({"jsonrpc":"2.0","method":"echo","params":[],"id":)" + std::to_string(i) + "}";
        raw += "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }
    ASSERT_FALSE(client.write(raw));
    for (int i = 0; i < 3; ++i) {
        const auto response = client.read_response();
        ASSERT_TRUE(response);
        EXPECT_EQ(json::parse(response->body())["id"], i);
    }
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAliveAsked) {
    start();
    {
        HttpClient client(port);
        ASSERT_FALSE(client.write("POST / HTTP/1.0\r\nContent-Length: " + std::to_string(kEcho.size()) + "\r\n\r\n" + kEcho));
        const auto response = client.read_response();
        ASSERT_TRUE(response);
        EXPECT_EQ(json::parse(response->body())["id"], 7);
        EXPECT_TRUE(client.closed_by_server());
    }
    {
        HttpClient client(port);
        const std::string request =
            "POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: " + std::to_string(kEcho.size()) + "\r\n\r\n" + kEcho;
        for (int i = 0; i < 2; ++i) {
            ASSERT_FALSE(client.write(request));
            const auto response = client.read_response();
            ASSERT_TRUE(response);
            EXPECT_EQ((*response)[http::field::connection], "keep-alive");
        }
    }
}

TEST_F(ServerTest, CorsHeadersAndPreflight) {
    start();
    HttpClient client(port);
    const auto response = client.post(kEcho, "Origin: http://example.org\r\n");
    ASSERT_TRUE(response);
    EXPECT_EQ((*response)[http::field::access_control_allow_origin], "*");

    ASSERT_FALSE(client.write("OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: http://example.org\r\n"
                              "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type,x-custom\r\n\r\n"));
    const auto preflight = client.read_response();
    ASSERT_TRUE(preflight);
    EXPECT_TRUE(preflight->result_int() == 200 || preflight->result_int() == 204);
    EXPECT_EQ((*preflight)[http::field::access_control_allow_origin], "*");
    const std::string methods((*preflight)[http::field::access_control_allow_methods]);
    EXPECT_NE(methods.find("POST"), std::string::npos);
    EXPECT_NE(methods.find("OPTIONS"), std::string::npos);
    EXPECT_EQ((*preflight)[http::field::access_control_allow_headers], "content-type,x-custom");
    // The connection is still usable after the preflight.
    EXPECT_TRUE(client.post(kEcho));
}

TEST_F(ServerTest, CorsOff) {
    ServerOptions options;
    options.cors = false;
    start(options);
    HttpClient client(port);
    const auto response = client.post(kEcho, "Origin: http://example.org\r\n");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->count(http::field::access_control_allow_origin), 0u);
    ASSERT_FALSE(client.write("OPTIONS / HTTP/1.1\r\nHost: x\r\nAccess-Control-Request-Method: POST\r\n\r\n"));
    const auto preflight = client.read_response();
    ASSERT_TRUE(preflight);
    EXPECT_EQ(preflight->count(http::field::access_control_allow_origin), 0u);
    EXPECT_EQ(preflight->count(http::field::access_control_allow_methods), 0u);
}

TEST_F(ServerTest, OtherMethods) {
    start();
    HttpClient client(port);
    ASSERT_FALSE(client.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto get = client.read_response();
    ASSERT_TRUE(get);
    EXPECT_EQ(get->result_int(), 200);
    ASSERT_FALSE(client.write("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto del = client.read_response();
    ASSERT_TRUE(del);
    EXPECT_EQ(del->result_int(), 405);
}

TEST_F(ServerTest, OversizedBodyIs413) {
    ServerOptions options;
    options.max_body_bytes = 1000;
    start(options);
    HttpClient client(port);
    const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[")" + std::string(5000, 'a') + R"("]})";
    const auto response = client.post(body);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 413);
    const json error = json::parse(response->body());
    EXPECT_EQ(error["error"]["code"], -32600);
    EXPECT_EQ(error["error"]["message"], "request body too large (" + std::to_string(body.size()) + " bytes, limit 1000)");
    EXPECT_TRUE(client.closed_by_server());
    // A body at the limit is served.
    HttpClient other(port);
    const std::string small = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[")" + std::string(900, 'a') + R"("]})";
    const auto ok = other.post(small);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->result_int(), 200);
}

TEST_F(ServerTest, GarbageIs400AndClose) {
    start();
    HttpClient client(port);
    ASSERT_FALSE(client.write("\x01\x02 this is not HTTP\r\n\r\n"));
    const auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 400);
    EXPECT_TRUE(client.closed_by_server());
    // The server is still serving.
    HttpClient other(port);
    EXPECT_TRUE(other.post(kEcho));
}

TEST_F(ServerTest, MalformedJsonIsParseError) {
    start();
    HttpClient client(port);
    const auto response = client.post("{not json");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200);
    EXPECT_EQ(json::parse(response->body())["error"]["code"], -32700);
}

TEST_F(ServerTest, ExpectContinue) {
    start();
    HttpClient client(port);
    ASSERT_FALSE(client.write("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
                              std::to_string(kEcho.size()) + "\r\n\r\n"));
    http::response<http::empty_body> interim;
    ASSERT_FALSE(client.wait([&](auto handler) { http::async_read(client.socket, client.buffer, interim, handler); }));
    EXPECT_EQ(interim.result_int(), 100);
    ASSERT_FALSE(client.write(kEcho));
    const auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(json::parse(response->body())["id"], 7);
}

TEST_F(ServerTest, SlowClientsAreClosedWithoutBlockingOthers) {
    ServerOptions options;
    options.header_timeout = std::chrono::seconds(1);
    options.idle_timeout = std::chrono::seconds(1);
    options.threads = 1;  // the slow clients share the one loop with the fast one
    start(options);
    HttpClient partial(port), silent(port);
    ASSERT_FALSE(partial.write("POST / HTTP/1.1\r\nHost: x\r\n"));
    HttpClient fast(port);
    EXPECT_TRUE(fast.post(kEcho));
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_TRUE(partial.closed_by_server(5000ms));
    EXPECT_TRUE(silent.closed_by_server(5000ms));
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 4500ms);
}

TEST_F(ServerTest, ConnectionLimit) {
    ServerOptions options;
    options.max_connections = 3;
    start(options);
    std::vector<std::unique_ptr<HttpClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<HttpClient>(port));
        ASSERT_TRUE(clients.back()->post(kEcho));
    }
    HttpClient extra(port);
    EXPECT_TRUE(extra.closed_by_server(3000ms));
    clients.pop_back();  // a slot frees up
    for (int attempt = 0; attempt < 50; ++attempt) {
        HttpClient again(port);
        if (again.post(kEcho)) return;
        std::this_thread::sleep_for(20ms);
    }
    FAIL() << "a freed slot was never reused";
}

TEST_F(ServerTest, ManyConcurrentConnections) {
    start();
    constexpr int kClients = 200;
    std::vector<std::unique_ptr<HttpClient>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<HttpClient>(port));
        ASSERT_TRUE(clients.back()->connected);
    }
    // All requests are in flight before any response is read.
    for (int i = 0; i < kClients; ++i) {
        const std::string body = R"({"jsonrpc":"2.0","method":"echo","params":[],"id":)" + std::to_string(i) + "}";
        ASSERT_FALSE(clients[i]->write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
    }
    for (int i = 0; i < kClients; ++i) {
        const auto response = clients[i]->read_response();
        ASSERT_TRUE(response) << i;
        EXPECT_EQ(json::parse(response->body())["id"], i);
    }
    // And from several client threads at once.
    std::vector<std::thread> threads;
    std::atomic<int> served{0};
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            HttpClient client(port);
            for (int i = 0; i < 50; ++i)
                if (client.post(kEcho)) ++served;
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(served.load(), 400);
}

TEST_F(ServerTest, WebSocketRequestsPushAndClose) {
    start();
    WsClient client(port);
    ASSERT_TRUE(client.connected);
    ASSERT_TRUE(client.send(R"({"jsonrpc":"2.0","id":1,"method":"whoami"})"));
    const auto who = client.receive();
    ASSERT_TRUE(who);
    EXPECT_EQ((*who)["result"]["websocket"], true);
    const uint64_t id = (*who)["result"]["id"].get<uint64_t>();

    // Batches and several messages answered in order.
    ASSERT_TRUE(client.send(R"([{"jsonrpc":"2.0","id":2,"method":"echo","params":[2]},{"jsonrpc":"2.0","id":3,"method":"echo"}])"));
    ASSERT_TRUE(client.send(R"({"jsonrpc":"2.0","id":4,"method":"echo"})"));
    const auto batch = client.receive();
    ASSERT_TRUE(batch);
    ASSERT_TRUE(batch->is_array());
    EXPECT_EQ((*batch)[0]["id"], 2);
    EXPECT_EQ((*batch)[1]["id"], 3);
    const auto fourth = client.receive();
    ASSERT_TRUE(fourth);
    EXPECT_EQ((*fourth)["id"], 4);

    ASSERT_TRUE(client.send(R"({"jsonrpc":"2.0","id":5,"method":"subscribe"})"));
    const auto subscribed = client.receive();
    ASSERT_TRUE(subscribed);
    EXPECT_EQ((*subscribed)["result"], "0x1");
    const auto connection = handler.current_subscriber();
    ASSERT_TRUE(connection);
    EXPECT_EQ(connection->id(), id);
    std::thread pusher([connection] {
        for (int i = 0; i < 3; ++i)
            connection->push(R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x1","result":)" +
                             std::to_string(i) + "}}");
    });
    pusher.join();
    for (int i = 0; i < 3; ++i) {
        const auto note = client.receive();
        ASSERT_TRUE(note);
        EXPECT_EQ((*note)["params"]["result"], i);
    }

    client.close();
    ASSERT_TRUE(handler.wait_closed(1));
    EXPECT_EQ(handler.closed[0], id);
    connection->push("after close: ignored");  // must be harmless
}

TEST_F(ServerTest, WebSocketAbruptDisconnectCallsOnClose) {
    start();
    {
        WsClient client(port);
        ASSERT_TRUE(client.connected);
        ASSERT_TRUE(client.send(R"({"jsonrpc":"2.0","id":1,"method":"echo"})"));
        ASSERT_TRUE(client.receive());
    }  // socket destroyed without a close frame
    EXPECT_TRUE(handler.wait_closed(1));
}

TEST_F(ServerTest, StopWithOpenConnectionsIsPrompt) {
    start();
    std::vector<std::unique_ptr<HttpClient>> idle;
    for (int i = 0; i < 5; ++i) {
        idle.push_back(std::make_unique<HttpClient>(port));
        ASSERT_TRUE(idle.back()->post(kEcho));
    }
    HttpClient partial(port);
    ASSERT_FALSE(partial.write("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"));
    WsClient ws(port);
    ASSERT_TRUE(ws.connected);
    ASSERT_TRUE(ws.send(R"({"jsonrpc":"2.0","id":1,"method":"subscribe"})"));
    ASSERT_TRUE(ws.receive());

    const auto begin = std::chrono::steady_clock::now();
    server->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 1500ms);
    EXPECT_TRUE(handler.wait_closed(1, 0ms));  // on_close already reported
    EXPECT_TRUE(idle[0]->closed_by_server(2000ms));
    server->stop();  // idempotent
    HttpClient refused(port);
    EXPECT_FALSE(refused.connected && refused.post(kEcho));
}

TEST_F(ServerTest, BusyPortNamesHostAndPort) {
    start();
    ServerOptions options;
    options.port = port;
    Server second(options, handler);
    try {
        second.start();
        FAIL() << "a second server bound the same port";
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << message;
    }
}
