// How decoding and validation report failure: no exceptions on bad input, a value instead.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <variant>

namespace polyvm::wasm {

enum class ErrorKind {
    Malformed,    // not a well-formed binary (decoding)
    Invalid,      // well-formed but fails validation
    Unsupported,  // a feature this engine does not implement yet (SIMD); runners count it as skipped
};

struct Error {
    ErrorKind kind = ErrorKind::Malformed;
    size_t offset = 0;  // byte offset in the module binary
    std::string message;
};

/// Either a value or an Error.
template <typename T>
class Result {
public:
    Result(T value) : state_(std::move(value)) {}
    Result(Error error) : state_(std::move(error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(state_); }
    const T& value() const { return std::get<0>(state_); }
    const Error& error() const { return std::get<1>(state_); }

private:
    std::variant<T, Error> state_;
};

/// "12: type mismatch" style text for people.
std::string describe(const Error& error);

}  // namespace polyvm::wasm
