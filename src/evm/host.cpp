#include "evm/host.hpp"

namespace polyvm {

const char* status_name(Status s) noexcept {
    switch (s) {
    case Status::Success: return "success";
    case Status::Revert: return "revert";
    case Status::Failure: return "failure";
    case Status::OutOfGas: return "out of gas";
    case Status::InvalidInstruction: return "invalid instruction";
    case Status::UndefinedInstruction: return "undefined instruction";
    case Status::StackOverflow: return "stack overflow";
    case Status::StackUnderflow: return "stack underflow";
    case Status::BadJumpDestination: return "bad jump destination";
    case Status::InvalidMemoryAccess: return "invalid memory access";
    case Status::StaticModeViolation: return "static mode violation";
    case Status::CallDepthExceeded: return "call depth exceeded";
    case Status::InsufficientBalance: return "insufficient balance";
    case Status::ArgumentOutOfRange: return "argument out of range";
    case Status::PrecompileFailure: return "precompile failure";
    case Status::ContractValidationFailure: return "contract validation failure";
    case Status::CreateCollision: return "create collision";
    case Status::NonceOverflow: return "nonce overflow";
    case Status::InitcodeSizeExceeded: return "initcode size exceeded";
    case Status::UnsupportedPrecompile: return "unsupported precompile";
    case Status::NativeStackExhausted: return "native stack exhausted";
    }
    return "unknown";
}

}  // namespace polyvm
