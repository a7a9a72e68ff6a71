// The head of the HTTP request a JSON-RPC client sends nearly every time (POST, HTTP/1.1 or 1.0,
// a Content-Length, no upgrade, no chunks, no Expect), read straight from the bytes received.
// Beast's general parser costs several thousand instructions a request; it stays the path for
// everything this reader does not accept, and reads the same buffered bytes.
#pragma once

#include <cstddef>
#include <string_view>

namespace polyvm::rpc {

struct PostHead {
    size_t head_size = 0;       // bytes up to and including the empty line
    size_t content_length = 0;  // the body follows the head
    bool keep_alive = true;     // as Beast's keep_alive(): HTTP/1.1 unless "close", 1.0 only with "keep-alive"
    bool http_10 = false;
};

enum class HeadStatus {
    Complete,    // `head` is filled in
    Incomplete,  // no empty line yet, and the head may still be a common one: read more
    Unusual,     // anything else (another method, a malformed or long head, an upgrade...): use Beast
};

/// Heads longer than this go to Beast, whose own limit (8 KiB) then answers them.
inline constexpr size_t kMaxPostHead = 8192;

/// Reads the head at the start of `buffered` (which may hold the body and further requests too).
HeadStatus read_post_head(std::string_view buffered, PostHead& head);

}  // namespace polyvm::rpc
