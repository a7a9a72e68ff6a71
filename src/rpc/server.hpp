// HTTP/1.1 and WebSocket JSON-RPC server on one port (Boost.Beast, asynchronous), for the
// development node. Beast and Asio stay inside server.cpp: this header is cheap to include.
#pragma once

#include "rpc/connection.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace polyvm::rpc {

struct ServerOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 8545;  // 0: any free port (start() returns it)
    unsigned threads = 2;  // I/O threads, each with its own event loop
    bool cors = true;      // Access-Control-Allow-Origin: * and preflight answers
    size_t max_body_bytes = 16 << 20;        // HTTP body and WebSocket message
    size_t max_connections = 2000;           // further connections are closed at once
    std::chrono::seconds idle_timeout{300};  // keep-alive HTTP without a request; a stalled write
    std::chrono::seconds header_timeout{30}; // a request's header must arrive within this (slow clients)
};

/// What the server calls for each HTTP body and WebSocket message; implemented by the node.
/// Called concurrently from the I/O threads.
class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    /// Response text for one JSON-RPC body; "" when nothing is to be answered.
    virtual std::string handle(std::string_view body, const CallContext& context) = 0;
    /// HTTP bodies come here: the response goes to `reply`, exactly once, from any thread (""
    /// for nothing to answer), and the connection waits for it. The default answers at once.
    virtual void handle_async(std::string_view body, const CallContext& context, std::function<void(std::string)> reply) {
        reply(handle(body, context));
    }
    /// A WebSocket connection ended (its subscriptions die with it). Called once per WebSocket
    /// connection, on an I/O thread (on the thread calling stop() for connections that stop()
    /// had to cut short); every connection has reported it by the time stop() returns.
    virtual void on_close(uint64_t /*connection_id*/) {}
};

class Server {
public:
    Server(ServerOptions options, RequestHandler& handler);
    ~Server();  // stops
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds, listens and starts the I/O threads; returns the bound port. Throws
    /// std::runtime_error naming host:port when it cannot listen (e.g. "address already in use").
    uint16_t start();
    /// Closes the listener and every connection, then joins the threads. Idempotent.
    void stop();

    const ServerOptions& options() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace polyvm::rpc
