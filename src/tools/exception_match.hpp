// Judging a rejection against a fixture's `expectException` (shared/README.md, "How a case is
// judged"): state tests and blockchain tests name the exceptions of execution-spec-tests, and
// polyvm reports its rules under the same names without the class prefix.
#pragma once

#include <string_view>

namespace polyvm::tools {

/// True when `actual_rule` is one of the exceptions `expected` names. `expected` is one name or
/// several separated by '|' (any of them is acceptable), each optionally prefixed with its class,
/// `TransactionException.` or `BlockException.`; blanks around a name are ignored. The class
/// prefix is dropped on both sides, so "INTRINSIC_GAS_TOO_LOW" matches
/// "TransactionException.INTRINSIC_GAS_TOO_LOW". Names compare exactly (case-sensitive): an
/// empty name matches nothing. `actual_rule` may carry several names too ('|'), when one
/// condition breaks two named rules at once: any of them may match.
bool exception_matches(std::string_view expected, std::string_view actual_rule);

/// `name` without its `TransactionException.` / `BlockException.` prefix and surrounding blanks.
std::string_view exception_name(std::string_view name);

}  // namespace polyvm::tools
