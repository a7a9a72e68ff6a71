// The one place the tools construct the EIP-3155 tracer (src/evm/tracer.hpp).
#pragma once

#include <memory>
#include <ostream>

namespace polyvm {
class Tracer;
}

namespace polyvm::tools {

/// An EIP-3155 tracer writing one JSON object per line to `out`. The shared_ptr carries its own
/// deleter, so callers need not see Tracer's definition.
std::shared_ptr<Tracer> make_eip3155_tracer(std::ostream& out, bool with_memory = false);

}  // namespace polyvm::tools
