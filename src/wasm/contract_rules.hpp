// What a WebAssembly module must be to deploy as a contract, beyond being valid WebAssembly:
// deterministic, with a bounded footprint, and speaking only the host interface.
#pragma once

#include "wasm/error.hpp"
#include "wasm/module.hpp"

#include <optional>

namespace polyvm::wasm {

/// Initial linear memory a contract may declare (pages of 64 KiB): growth beyond it is paid
/// for at run time, page by page.
inline constexpr uint32_t kMaxContractInitialPages = 128;

/// nullopt when `module` (decoded and validated) is a deployable contract:
///  - every import is a function of `vm_hooks` in the host interface, with its signature
///    (host_interface.hpp); no imported tables, memories or globals;
///  - it exports `user_entrypoint` of type (i32) -> i32 and its one memory as `memory`;
///  - no start function (it would run before the call's gas and context exist);
///  - at most kMaxContractInitialPages of initial memory.
/// Otherwise an Error of kind Invalid naming the first rule broken.
std::optional<Error> check_contract_module(const Module& module);

}  // namespace polyvm::wasm
