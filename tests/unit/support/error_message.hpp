// The message of the exception a call throws, for tests that check what an error names.
#pragma once

#include <stdexcept>
#include <string>

namespace polyvm::test {

/// what() of the `Exception` that `f` throws, or "(nothing thrown)".
template <typename Exception = std::invalid_argument, typename F>
std::string error_message(F&& f) {
    try {
        f();
    } catch (const Exception& e) {
        return e.what();
    }
    return "(nothing thrown)";
}

}  // namespace polyvm::test
