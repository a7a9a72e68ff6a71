// The server's I/O: one event loop (io_context) per thread, each connection owned by one loop, so
// a connection's handlers never run concurrently and need no strand or lock. The acceptor hands
// connections to the loops in turn. Timeouts are checked by a once-a-second sweep per loop
// instead of a timer per read, which keeps the keep-alive request path free of timer work.
#include "rpc/server.hpp"

#include "common/large_stack_thread.hpp"
#include "common/thread_name.hpp"
#include "rpc/http_head.hpp"

#include <nlohmann/json.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

namespace polyvm::rpc {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;
using namespace std::string_view_literals;

// How long a connection that is being closed may keep sending before it is cut (lingering close:
// reading what the client still sends lets it receive our last response instead of a reset).
constexpr std::chrono::seconds kDrainTime{5};
constexpr size_t kDrainMaxBytes = 64 << 20;
// A WebSocket client that does not read its notifications is disconnected past this backlog.
constexpr size_t kMaxQueuedBytes = 64 << 20;

// What every connection reads; shared so that it outlives the Server while a connection object
// is still referenced elsewhere (a subscription holding its Connection).
struct Shared {
    Shared(ServerOptions options_, RequestHandler& handler_) : options(std::move(options_)), handler(handler_) {}
    const ServerOptions options;
    RequestHandler& handler;
    std::atomic<size_t> open_connections{0};
    std::atomic<uint64_t> next_id{1};
};

// A connection as the sweep and stop() see it; called on the connection's own thread only.
class Session {
public:
    virtual ~Session() = default;
    virtual void check_timeout(Clock::time_point now) = 0;
    virtual void close_now() = 0;
};

// One I/O thread with its event loop and the connections it owns.
struct Worker {
    net::io_context context{1};
    net::steady_timer sweep_timer{context};
    std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions;  // touched on this thread only
    bool stopping = false;                                          // this thread only
    /// Handlers execute EVM code (eth_call, eth_estimateGas, traces): the execution stack budget.
    std::optional<LargeStackThread> thread;

    std::vector<std::shared_ptr<Session>> live_sessions() {
        std::vector<std::shared_ptr<Session>> live;
        live.reserve(sessions.size());
        for (auto& [id, weak] : sessions)
            if (auto session = weak.lock()) live.push_back(std::move(session));
        return live;
    }
};

// Whether a client's header value can be echoed into a response header unchanged.
bool is_safe_header_value(std::string_view value) {
    if (value.empty() || value.size() > 1024) return false;
    for (const char c : value)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    return true;
}

std::string error_body(int code, std::string_view message) {
    std::string body = R"({"jsonrpc":"2.0","id":null,"error":{"code":)";
    body += std::to_string(code);
    body += R"(,"message":)";
    body += nlohmann::json(message).dump();
    body += "}}";
    return body;
}

// ---------------------------------------------------------------------------------------------
class WebSocketSession final : public Session, public Connection, public std::enable_shared_from_this<WebSocketSession> {
public:
    WebSocketSession(std::shared_ptr<Shared> shared, std::shared_ptr<Worker> worker, tcp::socket socket, uint64_t id)
        : shared_(std::move(shared)), worker_(std::move(worker)), ws_(std::move(socket)), id_(id) {}

    uint64_t id() const noexcept override { return id_; }
    bool is_websocket() const noexcept override { return true; }

    void push(std::string text) override {
        if (closed_.load(std::memory_order_acquire)) return;
        net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
            self->enqueue(std::move(text));
        });
    }

    void start(http::request<http::string_body> request) {
        worker_->sessions[id_] = weak_from_this();
        websocket::stream_base::timeout timeout;
        timeout.handshake_timeout = shared_->options.header_timeout;
        timeout.idle_timeout = shared_->options.idle_timeout;
        timeout.keep_alive_pings = true;  // a silent subscriber that answers pings stays connected
        ws_.set_option(timeout);
        ws_.read_message_max(shared_->options.max_body_bytes);
        upgrade_request_ = std::move(request);
        ws_.async_accept(upgrade_request_, [self = shared_from_this()](error_code ec) {
            self->upgrade_request_ = {};
            if (ec) return self->finish();
            self->read_next();
        });
    }

    void check_timeout(Clock::time_point) override {}  // Beast's own handshake/idle timeouts apply
    void close_now() override {
        error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
    }

private:
    void read_next() {
        ws_.async_read(read_buffer_, [self = shared_from_this()](error_code ec, size_t) { self->on_read(ec); });
    }

    void on_read(error_code ec) {
        if (ec) return finish();
        const auto data = read_buffer_.cdata();
        const std::string_view text(static_cast<const char*>(data.data()), data.size());
        std::string response;
        try {
            response = shared_->handler.handle(text, CallContext{shared_from_this()});
        } catch (const std::exception& e) {
            response = error_body(-32603, e.what());
        }
        read_buffer_.consume(read_buffer_.size());
        if (!response.empty()) enqueue(std::move(response));
        read_next();
    }

    // Responses and pushed notifications share one queue: they go out in the order queued.
    void enqueue(std::string text) {
        if (closed_.load(std::memory_order_relaxed)) return;
        queued_bytes_ += text.size();
        if (queued_bytes_ > kMaxQueuedBytes) return close_now();
        queue_.push_back(std::move(text));
        if (!writing_) write_next();
    }

    void write_next() {
        writing_ = true;
        ws_.text(true);
        ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](error_code ec, size_t) {
            self->writing_ = false;
            self->queued_bytes_ -= self->queue_.front().size();
            self->queue_.pop_front();
            if (ec) return self->close_now();  // the pending read fails next and finishes
            if (!self->queue_.empty()) self->write_next();
        });
    }

    void finish() {
        if (closed_.exchange(true, std::memory_order_acq_rel)) return;
        worker_->sessions.erase(id_);
        shared_->open_connections.fetch_sub(1, std::memory_order_relaxed);
        close_now();
        try {
            shared_->handler.on_close(id_);
        } catch (...) {
            // The connection is gone either way.
        }
    }

    std::shared_ptr<Shared> shared_;
    std::shared_ptr<Worker> worker_;
    websocket::stream<tcp::socket> ws_;
    uint64_t id_;
    http::request<http::string_body> upgrade_request_;
    beast::flat_buffer read_buffer_;
    std::deque<std::string> queue_;
    size_t queued_bytes_ = 0;
    bool writing_ = false;
    std::atomic<bool> closed_{false};
};

// ---------------------------------------------------------------------------------------------
class HttpSession final : public Session, public Connection, public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(std::shared_ptr<Shared> shared, std::shared_ptr<Worker> worker, tcp::socket socket, uint64_t id)
        : shared_(std::move(shared)), worker_(std::move(worker)), socket_(std::move(socket)), id_(id) {}

    uint64_t id() const noexcept override { return id_; }
    bool is_websocket() const noexcept override { return false; }
    void push(std::string) override {}

    void start() {
        thread_ = std::this_thread::get_id();  // the worker's thread, which runs all of this session's handlers
        error_code ignored;
        socket_.set_option(tcp::no_delay(true), ignored);
        worker_->sessions[id_] = weak_from_this();
        read_request();
    }

    void check_timeout(Clock::time_point now) override {
        const ServerOptions& options = shared_->options;
        switch (phase_) {
            case Phase::Reading: {
                const bool started = buffer_.size() > 0 || (parser_ && parser_->got_some());
                if (!started) {
                    if (now - phase_since_ > options.idle_timeout) close_now();
                    return;
                }
                if (progress_since_ == Clock::time_point{}) progress_since_ = now;
                const bool header_done = parser_ ? parser_->is_header_done() : header_done_;
                const auto limit = header_done ? options.idle_timeout : options.header_timeout;
                if (now - progress_since_ > limit) close_now();
                return;
            }
            case Phase::Writing:
                if (now - phase_since_ > options.idle_timeout) close_now();
                return;
            case Phase::Draining:
                if (now - phase_since_ > kDrainTime) close_now();
                return;
            case Phase::Handling:
            case Phase::Closed:
                return;
        }
    }

    void close_now() override {
        error_code ignored;
        socket_.close(ignored);
    }

private:
    enum class Phase { Reading, Handling, Writing, Draining, Closed };

    void enter(Phase phase) {
        phase_ = phase;
        phase_since_ = Clock::now();
    }

    void read_request() {
        parser_.reset();
        header_done_ = false;
        enter(Phase::Reading);
        progress_since_ = {};
        read_buffered();
    }

    // The common request (http_head.hpp) is read from buffer_ here; anything else is handed, with
    // the bytes already buffered, to Beast's parser.
    void read_buffered() {
        const auto data = buffer_.cdata();
        const std::string_view buffered(static_cast<const char*>(data.data()), data.size());
        PostHead head;
        switch (read_post_head(buffered, head)) {
            case HeadStatus::Unusual:
                return read_with_beast();
            case HeadStatus::Incomplete:
                return read_more(4096);
            case HeadStatus::Complete:
                break;
        }
        if (head.content_length > shared_->options.max_body_bytes) return read_with_beast();  // Beast's 413
        header_done_ = true;
        const size_t size = head.head_size + head.content_length;
        if (buffered.size() < size) return read_more(size - buffered.size());
        enter(Phase::Handling);
        keep_alive_ = head.keep_alive;
        http_10_ = head.http_10;
        // The handler is done with the body when handle_async returns (a deferred method keeps
        // what it needs), so the bytes are released right after.
        respond_post(buffered.substr(head.head_size, head.content_length));
        buffer_.consume(size);
    }

    void read_more(size_t wanted) {
        const size_t chunk = std::clamp<size_t>(wanted, 4096, size_t{1} << 20);
        socket_.async_read_some(buffer_.prepare(chunk), [self = shared_from_this()](error_code ec, size_t n) {
            if (ec) return self->finish();  // closed, or cut mid-request: nothing to answer
            self->buffer_.commit(n);
            self->read_buffered();
        });
    }

    void read_with_beast() {
        parser_.emplace();
        parser_->body_limit(shared_->options.max_body_bytes);
        http::async_read_header(socket_, buffer_, *parser_,
                                [self = shared_from_this()](error_code ec, size_t) { self->on_header(ec); });
    }

    void on_header(error_code ec) {
        if (ec) return fail(ec);
        auto& request = parser_->get();
        if (websocket::is_upgrade(request)) return upgrade();
        // The body usually arrived with the header: parse what is buffered without another read.
        parser_->eager(true);
        while (!parser_->is_done() && buffer_.size() > 0) {
            const size_t used = parser_->put(buffer_.data(), ec);
            buffer_.consume(used);
            if (ec == http::error::need_more) break;
            if (ec) return fail(ec);
            if (used == 0) break;
        }
        if (parser_->is_done()) return respond();
        const auto expect = request[http::field::expect];
        if (beast::iequals(expect, "100-continue")) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                             [self = shared_from_this()](error_code ec, size_t) {
                                 if (ec) return self->fail(ec);
                                 self->read_body();
                             });
            return;
        }
        read_body();
    }

    void read_body() {
        http::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](error_code ec, size_t) {
            if (ec) return self->fail(ec);
            self->respond();
        });
    }

    void respond() {
        enter(Phase::Handling);
        auto& request = parser_->get();
        keep_alive_ = request.keep_alive();
        http_10_ = request.version() == 10;
        const bool cors = shared_->options.cors;
        switch (request.method()) {
            case http::verb::post:
                return respond_post(request.body());
            case http::verb::options:
                if (cors) {
                    const auto asked = request[http::field::access_control_request_headers];
                    const std::string_view echoed(asked.data(), asked.size());
                    std::string extra = "Access-Control-Allow-Methods: POST, GET, OPTIONS\r\nAccess-Control-Allow-Headers: ";
                    extra.append(is_safe_header_value(echoed) ? echoed : std::string_view("*"));
                    extra += "\r\nAccess-Control-Max-Age: 86400\r\n";
                    return write_response(204, {}, {}, extra);
                }
                return write_response(405, "text/plain", "method not allowed\n", "Allow: POST, GET\r\n");
            case http::verb::get:
                return write_response(200, "text/plain", "polyvm JSON-RPC: POST a JSON-RPC request, or open a WebSocket\n");
            case http::verb::head:
                omit_body_ = true;
                return write_response(200, "text/plain", {});
            default:
                return write_response(405, "text/plain", "method not allowed\n",
                                      cors ? "Allow: POST, GET, OPTIONS\r\n" : "Allow: POST, GET\r\n");
        }
    }

    // The handler may answer later from another thread (a transaction waiting for its block):
    // the answer is then posted to this session's thread. An answer given on this thread before
    // handle_async returns (nearly every one) is written at once, without the post: in_handler_
    // is only read and written on this session's thread, so telling the cases apart needs no lock.
    void respond_post(std::string_view body) {
        in_handler_ = true;
        inline_response_.reset();
        try {
            // The reply captures only `self`, which fits std::function's own storage: no allocation.
            shared_->handler.handle_async(body, CallContext{shared_from_this()}, [self = shared_from_this()](std::string response) {
                if (std::this_thread::get_id() == self->thread_ && self->in_handler_) {
                    self->inline_response_ = std::move(response);
                    return;
                }
                net::post(self->socket_.get_executor(), [self, response = std::move(response)]() mutable {
                    self->write_response(200, "application/json", std::move(response));
                });
            });
        } catch (const std::exception& e) {
            in_handler_ = false;
            if (!inline_response_) return write_response(500, "application/json", error_body(-32603, e.what()));
        }
        in_handler_ = false;
        if (inline_response_) return write_response(200, "application/json", std::move(*inline_response_));
        // Answered later.
    }

    static std::string_view status_line(int status) {
        switch (status) {
            case 200: return "HTTP/1.1 200 OK\r\n";
            case 204: return "HTTP/1.1 204 No Content\r\n";
            case 400: return "HTTP/1.1 400 Bad Request\r\n";
            case 405: return "HTTP/1.1 405 Method Not Allowed\r\n";
            case 413: return "HTTP/1.1 413 Payload Too Large\r\n";
            case 431: return "HTTP/1.1 431 Request Header Fields Too Large\r\n";
            default: return "HTTP/1.1 500 Internal Server Error\r\n";
        }
    }

    void write_response(int status, std::string_view content_type, std::string body, std::string_view extra_headers = {}) {
        head_.clear();
        head_ += status_line(status);
        if (!content_type.empty()) {
            head_ += "Content-Type: "sv;
            head_ += content_type;
            head_ += "\r\n"sv;
        }
        if (shared_->options.cors) head_ += "Access-Control-Allow-Origin: *\r\n"sv;
        head_ += extra_headers;
        if (status != 204) {
            head_ += "Content-Length: "sv;
            char digits[24];
            head_.append(digits, std::to_chars(digits, digits + sizeof digits, body.size()).ptr);
            head_ += "\r\n"sv;
        }
        if (!keep_alive_)
            head_ += "Connection: close\r\n"sv;
        else if (http_10_)
            head_ += "Connection: keep-alive\r\n"sv;
        head_ += "\r\n"sv;
        body_ = std::move(body);
        if (omit_body_) body_.clear();
        omit_body_ = false;
        enter(Phase::Writing);
        const std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_)};
        net::async_write(socket_, buffers, [self = shared_from_this()](error_code ec, size_t) { self->on_write(ec); });
    }

    void on_write(error_code ec) {
        if (ec) return finish();
        if (keep_alive_ && !worker_->stopping) return read_request();
        linger_close();
    }

    // A malformed or refused request gets an answer, then the connection closes.
    void fail(error_code ec) {
        keep_alive_ = false;
        http_10_ = false;
        if (ec == http::error::body_limit) {
            const auto length = parser_->get()[http::field::content_length];
            const std::string limit = std::to_string(shared_->options.max_body_bytes);
            std::string message = "request body too large (";
            message += length.empty() ? "over " + limit : std::string(length.data(), length.size());
            message += " bytes, limit " + limit + ")";
            return write_response(413, "application/json", error_body(-32600, message));
        }
        if (ec == http::error::header_limit) return write_response(431, "text/plain", "request header too large\n");
        const bool http_error = ec.category() == http::make_error_code(http::error::bad_method).category();
        if (http_error && ec != http::error::end_of_stream && ec != http::error::partial_message && phase_ == Phase::Reading)
            return write_response(400, "text/plain", "bad request: " + ec.message() + "\n");
        finish();
    }

    // Stop sending, then read until the client closes (or kDrainTime passes): closing with unread
    // input would reset the connection and could destroy the response still in flight.
    void linger_close() {
        enter(Phase::Draining);
        error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_send, ignored);
        drain();
    }

    void drain() {
        socket_.async_read_some(net::buffer(drain_buffer_), [self = shared_from_this()](error_code ec, size_t n) {
            self->drained_ += n;
            if (ec || self->drained_ > kDrainMaxBytes) return self->finish();
            self->drain();
        });
    }

    void upgrade() {
        // The WebSocket session takes over this connection (and its place in the count).
        phase_ = Phase::Closed;
        worker_->sessions.erase(id_);
        auto session = std::make_shared<WebSocketSession>(shared_, worker_, std::move(socket_), id_);
        session->start(parser_->release());
    }

    void finish() {
        if (phase_ == Phase::Closed) return;
        phase_ = Phase::Closed;
        worker_->sessions.erase(id_);
        shared_->open_connections.fetch_sub(1, std::memory_order_relaxed);
        close_now();
    }

    std::shared_ptr<Shared> shared_;
    std::shared_ptr<Worker> worker_;
    tcp::socket socket_;
    uint64_t id_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    Phase phase_ = Phase::Reading;
    Clock::time_point phase_since_{};
    Clock::time_point progress_since_{};  // when the sweep first saw the current request arriving
    bool header_done_ = false;  // the common request's head is read (the sweep's timeout)
    std::thread::id thread_;    // set by start(), before any reply can exist
    bool in_handler_ = false;   // inside handle_async (this session's thread only)
    std::optional<std::string> inline_response_;
    bool keep_alive_ = true;
    bool http_10_ = false;
    bool omit_body_ = false;
    std::string head_;
    std::string body_;
    std::array<char, 4096> drain_buffer_{};
    size_t drained_ = 0;
};

}  // namespace

struct Server::Impl {
    Impl(ServerOptions options, RequestHandler& handler) : shared(std::make_shared<Shared>(std::move(options), handler)) {}

    std::shared_ptr<Shared> shared;
    std::vector<std::shared_ptr<Worker>> workers;
    std::optional<tcp::acceptor> acceptor;
    std::optional<net::steady_timer> accept_retry;
    size_t next_worker = 0;
    bool running = false;

    std::mutex mutex;
    std::condition_variable all_stopped;
    size_t threads_done = 0;

    void sweep(Worker& w) {
        w.sweep_timer.expires_after(std::chrono::seconds(1));
        w.sweep_timer.async_wait([this, &w](error_code ec) {
            if (ec || w.stopping) return;
            const auto now = Clock::now();
            for (auto it = w.sessions.begin(); it != w.sessions.end();)
                it = it->second.expired() ? w.sessions.erase(it) : std::next(it);
            for (auto& session : w.live_sessions()) session->check_timeout(now);
            sweep(w);
        });
    }

    void accept_next() {
        const std::shared_ptr<Worker> target = workers[next_worker++ % workers.size()];
        acceptor->async_accept(target->context, [this, target](error_code ec, tcp::socket socket) {
            if (!acceptor->is_open()) return;
            if (ec) {
                // Out of descriptors and the like: wait a little instead of spinning.
                accept_retry->expires_after(std::chrono::milliseconds(50));
                accept_retry->async_wait([this](error_code wait_ec) {
                    if (!wait_ec && acceptor->is_open()) accept_next();
                });
                return;
            }
            if (shared->open_connections.fetch_add(1, std::memory_order_relaxed) >= shared->options.max_connections) {
                shared->open_connections.fetch_sub(1, std::memory_order_relaxed);
                error_code ignored;
                socket.close(ignored);
            } else {
                const uint64_t id = shared->next_id.fetch_add(1, std::memory_order_relaxed);
                net::post(target->context, [shared = shared, target, id, socket = std::move(socket)]() mutable {
                    if (target->stopping) {
                        shared->open_connections.fetch_sub(1, std::memory_order_relaxed);
                        return;
                    }
                    std::make_shared<HttpSession>(shared, target, std::move(socket), id)->start();
                });
            }
            accept_next();
        });
    }

    tcp::endpoint resolve() const {
        const ServerOptions& options = shared->options;
        error_code ec;
        const auto address = net::ip::make_address(options.host, ec);
        if (!ec) return {address, options.port};
        net::io_context context;
        tcp::resolver resolver(context);
        const auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
        if (ec || results.empty())
            throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                                     ": cannot resolve the host (" + (ec ? ec.message() : "no address") + ")");
        return results.begin()->endpoint();
    }
};

Server::Server(ServerOptions options, RequestHandler& handler) : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

Server::~Server() { stop(); }

const ServerOptions& Server::options() const noexcept { return impl_->shared->options; }

uint16_t Server::start() {
    Impl& impl = *impl_;
    if (impl.running) return impl.acceptor->local_endpoint().port();
    const ServerOptions& options = impl.shared->options;
    const unsigned thread_count = options.threads == 0 ? 1 : options.threads;
    impl.workers.clear();
    for (unsigned i = 0; i < thread_count; ++i) impl.workers.push_back(std::make_shared<Worker>());

    const tcp::endpoint endpoint = impl.resolve();
    impl.acceptor.emplace(impl.workers[0]->context);
    impl.accept_retry.emplace(impl.workers[0]->context);
    error_code ec;
    auto check = [&](const char* step) {
        if (!ec) return;
        impl.acceptor.reset();
        throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " + step +
                                 ": " + ec.message());
    };
    impl.acceptor->open(endpoint.protocol(), ec);
    check("open");
    impl.acceptor->set_option(net::socket_base::reuse_address(true), ec);
    check("SO_REUSEADDR");
    impl.acceptor->bind(endpoint, ec);
    check("bind");
    impl.acceptor->listen(net::socket_base::max_listen_connections, ec);
    check("listen");
    const uint16_t port = impl.acceptor->local_endpoint().port();

    impl.accept_next();
    impl.threads_done = 0;
    for (auto& worker : impl.workers) {
        impl.sweep(*worker);
        worker->thread.emplace([&impl, w = worker.get(), index = &worker - impl.workers.data()] {
            name_this_thread("polyvm-rpc-" + std::to_string(index));
            for (;;) {
                try {
                    w->context.run();
                    break;
                } catch (...) {
                    // A throwing completion handler: keep serving the other connections.
                }
            }
            std::lock_guard lock(impl.mutex);
            ++impl.threads_done;
            impl.all_stopped.notify_all();
        });
    }
    impl.running = true;
    return port;
}

void Server::stop() {
    Impl& impl = *impl_;
    if (!impl.running) return;
    impl.running = false;
    net::post(impl.workers[0]->context, [&impl] {
        error_code ignored;
        impl.acceptor->close(ignored);
        impl.accept_retry->cancel();
    });
    for (auto& worker : impl.workers) {
        net::post(worker->context, [w = worker.get()] {
            w->stopping = true;
            w->sweep_timer.cancel();
            for (auto& session : w->live_sessions()) session->close_now();
        });
    }
    // Each loop ends once its closed connections have run their last handlers; a loop still busy
    // after a grace period (a pending Beast timer, a slow handler) is stopped outright.
    {
        std::unique_lock lock(impl.mutex);
        if (!impl.all_stopped.wait_for(lock, std::chrono::seconds(2), [&] { return impl.threads_done == impl.workers.size(); }))
            for (auto& worker : impl.workers) worker->context.stop();
    }
    for (auto& worker : impl.workers)
        if (worker->thread) worker->thread->join();
    // Run what the forced stop left queued, so every WebSocket connection reports on_close.
    for (auto& worker : impl.workers) {
        worker->context.restart();
        try {
            worker->context.poll();
        } catch (...) {
        }
    }
    impl.acceptor.reset();
    impl.accept_retry.reset();
}

}  // namespace polyvm::rpc
