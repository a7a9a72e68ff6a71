// JSON-RPC 2.0 error codes (geth's numbering) and the exception that method implementations
// throw to answer with a specific error object.
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace polyvm::rpc {

using json = nlohmann::json;

inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kServerError = -32000;
inline constexpr int kExecutionReverted = 3;  // geth: eth_call / eth_estimateGas revert, data = revert bytes

/// Thrown by a method to answer with {"code", "message", "data"}; data is null when absent.
struct RpcError : std::runtime_error {
    int code;
    json data;
    RpcError(int code_, std::string message, json data_ = nullptr)
        : std::runtime_error(std::move(message)), code(code_), data(std::move(data_)) {}
};

}  // namespace polyvm::rpc
