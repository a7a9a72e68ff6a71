// The client connection a request came from, as seen by method implementations: subscriptions
// (eth_subscribe) keep it to push notifications later.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace polyvm::rpc {

class Connection {
public:
    virtual ~Connection() = default;
    virtual uint64_t id() const noexcept = 0;
    virtual bool is_websocket() const noexcept = 0;
    /// WebSocket: queues one text message after whatever is already queued on this connection.
    /// Thread-safe, callable from any thread; a no-op once the connection is closed. HTTP: no-op.
    virtual void push(std::string text) = 0;
};

struct CallContext {
    std::shared_ptr<Connection> connection;  // null outside a server (tests, in-process calls)
};

}  // namespace polyvm::rpc
